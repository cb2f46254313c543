import { describe, expect, it } from 'vitest';
import { createSafeFetch, type OutboundCall } from './index.ts';
import { startLocalServer } from './testing/index.ts';

describe('call observer', () => {
  it('reports host, method, status and circuit of each call, never the path or query', async () => {
    const server = await startLocalServer((req, res) => {
      res.statusCode = req.url?.startsWith('/fail') ? 503 : 200;
      res.end('x');
    });
    const seen: OutboundCall[] = [];
    const perCall: OutboundCall[] = [];
    const fetch = createSafeFetch({
      allow: ['127.0.0.1/32'],
      observe: (c) => seen.push(c),
      circuitBreaker: { failureThreshold: 2 },
    });
    try {
      await fetch(`${server.origin}/ok?token=s3cret`);
      await fetch(`${server.origin}/fail`, { method: 'post', body: 'a', observe: (c) => perCall.push(c) });
      await fetch(`${server.origin}/fail`);
      await expect(fetch(`${server.origin}/ok`)).rejects.toMatchObject({ code: 'APIQ_CIRCUIT_OPEN' });
      const host = `127.0.0.1:${server.port}`;
      expect(seen.map(({ durationMs: _d, ...c }) => c)).toEqual([
        { host, method: 'GET', status: 200, circuit: 'closed' },
        { host, method: 'POST', status: 503, circuit: 'closed' },
        { host, method: 'GET', status: 503, circuit: 'open' },
        { host, method: 'GET', errorCode: 'APIQ_CIRCUIT_OPEN', circuit: 'open' },
      ]);
      expect(perCall).toHaveLength(1);
      expect(JSON.stringify(seen)).not.toContain('s3cret');
      expect(seen.every((c) => c.durationMs >= 0)).toBe(true);
    } finally {
      fetch.close();
      await server.close();
    }
  });

  it('keeps the call working when an observer throws', async () => {
    const server = await startLocalServer((_req, res) => {
      res.end('fine');
    });
    const fetch = createSafeFetch({
      allow: ['127.0.0.1/32'],
      observe: () => {
        throw new Error('observer bug');
      },
    });
    try {
      expect(await (await fetch(server.origin)).text()).toBe('fine');
    } finally {
      fetch.close();
      await server.close();
    }
  });
});
