import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const res = await fetch(`${world.base}/webhook/${workflow.path}?lat=48.85&lon=2.35`);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('max-age=600');
  expect(await res.json()).toEqual({
    latitude: 48.85,
    longitude: 2.35,
    temperatureC: 7.4,
    windKmh: 12.9,
    weatherCode: 3,
    observedAt: '2026-01-05T10:00',
  });
  expect(world.openMeteo.requests.at(-1)).toMatchObject({
    method: 'GET',
    path: '/v1/forecast',
    query: { latitude: '48.85', longitude: '2.35', current: 'temperature_2m,wind_speed_10m,weather_code' },
  });
});
