import { describe, expect, it } from 'vitest';
import { startUpstream } from './upstream.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startUpstream', () => {
  it('answers {"ok":true} from its own process on 127.0.0.1 and stops', async () => {
    const upstream = await startUpstream();
    try {
      expect(upstream.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(upstream.pid).not.toBe(process.pid);
      const res = await fetch(upstream.url, { method: 'POST', body: '{"x":1}' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ ok: true });
    } finally {
      await upstream.stop();
    }
    expect(alive(upstream.pid)).toBe(false);
  });
});
