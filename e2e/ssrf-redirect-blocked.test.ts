import { BlockedAddressError, createSafeFetch, type SafeFetch } from '@apiq/http';
import { startLocalServer, watchOutboundSockets, type LocalServer } from '@apiq/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// An allowed server (127.0.0.1 is on the allow-list) answers with redirects into ranges that
// are not: every hop must be checked again, and the blocked target must see nothing. Real
// targets are loopback only; non-loopback targets are refused before any socket exists.

let redirector: LocalServer;
let v6Target: LocalServer | undefined;
let fetch: SafeFetch;

const v6Port = () => v6Target?.port ?? 9;

const redirects: Record<string, { status: number; location: () => string }> = {
  '/to-metadata': { status: 302, location: () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' },
  '/to-v6-loopback': { status: 302, location: () => `http://[::1]:${v6Port()}/secret` },
  '/to-private': { status: 307, location: () => 'http://10.0.0.1/admin' },
  '/to-mapped-metadata': { status: 301, location: () => 'http://[::ffff:a9fe:a9fe]/latest/' },
  '/to-decimal-metadata': { status: 303, location: () => 'http://2852039166/latest/' },
  '/to-file': { status: 302, location: () => 'file:///etc/passwd' },
  '/chain-1': { status: 302, location: () => '/chain-2' },
  '/chain-2': { status: 307, location: () => 'http://169.254.169.254/' },
  // Same address as the allowed server in another spelling: allowed, because the check is by address.
  '/to-decimal-self': { status: 302, location: () => `http://2130706433:${redirector.port}/landed` },
};

beforeAll(async () => {
  redirector = await startLocalServer((req, res) => {
    const rule = redirects[req.url];
    if (rule) return void res.writeHead(rule.status, { location: rule.location() }).end();
    res.end(`landed on ${req.url}`);
  }, '127.0.0.1');
  v6Target = await startLocalServer((_req, res) => void res.end('secret'), '::1').catch(() => undefined);
  fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });
});

afterAll(async () => {
  fetch.close();
  await redirector.close();
  await v6Target?.close();
});

async function followBlocked(
  path: string,
  method = 'GET',
): Promise<{ err: BlockedAddressError; sockets: ReturnType<typeof watchOutboundSockets> }> {
  const sockets = watchOutboundSockets();
  let caught: unknown;
  try {
    await fetch(`${redirector.origin}${path}`, {
      method,
      ...(method === 'POST' ? { body: { secret: 'payload' } } : {}),
    });
  } catch (err) {
    caught = err;
  } finally {
    sockets.stop();
  }
  expect(caught, path).toBeInstanceOf(BlockedAddressError);
  // Sockets were opened only to the allowed redirector, never towards the blocked hop.
  for (const attempt of sockets.attempts) expect(attempt).toEqual({ address: '127.0.0.1', port: redirector.port });
  return { err: caught as BlockedAddressError, sockets };
}

describe('SSRF: redirects into blocked ranges are refused on the hop', () => {
  it.each([
    [
      '/to-metadata',
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      '169.254.169.254',
      'link-local',
    ],
    ['/to-private', 'http://10.0.0.1/admin', '10.0.0.1', 'private'],
    ['/to-mapped-metadata', 'http://[::ffff:a9fe:a9fe]/latest/', '169.254.169.254', 'IPv4-mapped link-local'],
    ['/to-decimal-metadata', 'http://169.254.169.254/latest/', '169.254.169.254', 'link-local'],
  ])('%s is blocked at %s', async (path, target, address, range) => {
    const before = redirector.requests.length;
    const { err } = await followBlocked(path, 'POST');
    expect(err.url).toBe(target);
    expect(err.address).toBe(address);
    expect(err.range).toBe(range);
    expect(err.message).toContain(`redirect from ${redirector.origin}${path} to ${target}`);
    expect(redirector.requests.slice(before).map((r) => r.url)).toEqual([path]);
  });

  it('a redirect to [::1] is blocked and the IPv6 loopback server sees nothing', async () => {
    const { err } = await followBlocked('/to-v6-loopback');
    expect(err).toMatchObject({ address: '::1', range: 'loopback', url: `http://[::1]:${v6Port()}/secret` });
    if (v6Target) {
      expect(v6Target.requests).toEqual([]);
      expect(v6Target.connections).toBe(0);
    }
  });

  it('a block deep in a chain stops the chain at that hop', async () => {
    const before = redirector.requests.length;
    const { err } = await followBlocked('/chain-1');
    expect(err.url).toBe('http://169.254.169.254/');
    expect(err.message).toContain(`redirect from ${redirector.origin}/chain-2`);
    expect(redirector.requests.slice(before).map((r) => r.url)).toEqual(['/chain-1', '/chain-2']);
  });

  it('a redirect to a non-http scheme is refused', async () => {
    const sockets = watchOutboundSockets();
    await expect(fetch(`${redirector.origin}/to-file`)).rejects.toMatchObject({ code: 'APIQ_HTTP_INVALID_URL' });
    sockets.stop();
    for (const attempt of sockets.attempts) expect(attempt).toEqual({ address: '127.0.0.1', port: redirector.port });
  });

  it('a redirect to the allowed address in another spelling is followed (the check is by address, not by text)', async () => {
    const res = await fetch(`${redirector.origin}/to-decimal-self`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`http://127.0.0.1:${redirector.port}/landed`);
    expect(await res.text()).toBe('landed on /landed');
  });

  it('with no allow-list at all, even the first hop is refused', async () => {
    const strict = createSafeFetch({ allow: [] });
    const before = redirector.requests.length;
    const sockets = watchOutboundSockets();
    await expect(strict(`${redirector.origin}/to-metadata`)).rejects.toBeInstanceOf(BlockedAddressError);
    sockets.stop();
    strict.close();
    expect(sockets.created).toBe(0);
    expect(redirector.requests.length).toBe(before);
  });
});
