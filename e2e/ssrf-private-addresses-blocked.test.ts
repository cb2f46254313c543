import { BlockedAddressError, createSafeFetch, type SafeFetch } from '@apiq/http';
import { startLocalServer, watchOutboundSockets, type LocalServer } from '@apiq/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Real servers listen on loopback; the client must refuse every spelling of them (and of the
// metadata address) before opening a socket. Only loopback addresses are ever real targets.

const ok = (_req: unknown, res: { end(body: string): void }) => res.end('reached');

let v4: LocalServer;
let v6: LocalServer | undefined;
let savedAllow: string | undefined;
const clients: SafeFetch[] = [];

beforeAll(async () => {
  savedAllow = process.env.APIQ_HTTP_ALLOW;
  delete process.env.APIQ_HTTP_ALLOW;
  v4 = await startLocalServer(ok, '127.0.0.1');
  v6 = await startLocalServer(ok, '::1').catch(() => undefined); // hosts without IPv6 loopback
});

afterAll(async () => {
  for (const client of clients) client.close();
  await v4.close();
  await v6?.close();
  if (savedAllow !== undefined) process.env.APIQ_HTTP_ALLOW = savedAllow;
});

function client(options?: Parameters<typeof createSafeFetch>[0]): SafeFetch {
  const fetch = createSafeFetch(options);
  clients.push(fetch);
  return fetch;
}

async function expectBlockedWithoutSocket(fetch: SafeFetch, url: string): Promise<BlockedAddressError> {
  const sockets = watchOutboundSockets();
  let caught: unknown;
  try {
    await fetch(url);
  } catch (err) {
    caught = err;
  } finally {
    sockets.stop();
  }
  expect(caught, url).toBeInstanceOf(BlockedAddressError);
  expect((caught as BlockedAddressError).code).toBe('APIQ_SSRF_BLOCKED');
  expect((caught as Error).message).toMatch(/^blocked: .* range \(.*\); set APIQ_HTTP_ALLOW=\S+ to allow it$/);
  // Refused before connect: not one TCP socket was created for it.
  expect(sockets.created, url).toBe(0);
  expect(sockets.attempts, url).toEqual([]);
  return caught as BlockedAddressError;
}

describe('SSRF: private and loopback addresses are blocked when no allow-list is set', () => {
  it('the socket watcher sees a real connection (control: the assertions below can fail)', async () => {
    const sockets = watchOutboundSockets();
    const res = await client({ allow: ['127.0.0.1/32'] })(`${v4.origin}/control`);
    sockets.stop();
    expect(await res.text()).toBe('reached');
    expect(sockets.created).toBe(1);
    expect(sockets.attempts).toEqual([{ address: '127.0.0.1', port: v4.port }]);
    v4.requests.length = 0;
    v6?.requests.splice(0);
  });

  const literalCases: Array<[label: string, url: () => string, address: string, range: string]> = [
    ['127.0.0.1', () => `http://127.0.0.1:${v4.port}/`, '127.0.0.1', 'loopback'],
    ['[::1]', () => `http://[::1]:${v6?.port ?? v4.port}/`, '::1', 'loopback'],
    [
      '169.254.169.254 (cloud metadata)',
      () => 'http://169.254.169.254/latest/meta-data/',
      '169.254.169.254',
      'link-local',
    ],
    ['decimal 2130706433', () => `http://2130706433:${v4.port}/`, '127.0.0.1', 'loopback'],
    ['hex 0x7f000001', () => `http://0x7f000001:${v4.port}/`, '127.0.0.1', 'loopback'],
    ['octal 0177.0.0.1', () => `http://0177.0.0.1:${v4.port}/`, '127.0.0.1', 'loopback'],
    ['short 127.1', () => `http://127.1:${v4.port}/`, '127.0.0.1', 'loopback'],
    ['0.0.0.0', () => `http://0.0.0.0:${v4.port}/`, '0.0.0.0', 'unspecified'],
    [
      'IPv4-mapped [::ffff:127.0.0.1]',
      () => `http://[::ffff:127.0.0.1]:${v4.port}/`,
      '127.0.0.1',
      'IPv4-mapped loopback',
    ],
    [
      'IPv4-mapped hex [::ffff:7f00:1]',
      () => `http://[::ffff:7f00:1]:${v4.port}/`,
      '127.0.0.1',
      'IPv4-mapped loopback',
    ],
    [
      'IPv4-mapped metadata [::ffff:a9fe:a9fe]',
      () => 'http://[::ffff:a9fe:a9fe]/',
      '169.254.169.254',
      'IPv4-mapped link-local',
    ],
    ['decimal metadata 2852039166', () => 'http://2852039166/', '169.254.169.254', 'link-local'],
    ['private 10.0.0.1', () => 'http://10.0.0.1/', '10.0.0.1', 'private'],
    ['private 192.168.1.1', () => 'https://192.168.1.1/', '192.168.1.1', 'private'],
    [
      'NAT64 of loopback [64:ff9b::7f00:1]',
      () => `http://[64:ff9b::7f00:1]:${v4.port}/`,
      '64:ff9b::7f00:1',
      'NAT64 loopback',
    ],
  ];

  it.each(literalCases)('blocks %s', async (_label, url, address, range) => {
    const err = await expectBlockedWithoutSocket(client({ allow: [] }), url());
    expect(err.address).toBe(address);
    expect(err.range).toBe(range);
  });

  it('blocks localhost, resolved through the system resolver', async () => {
    const err = await expectBlockedWithoutSocket(client({ allow: [] }), `http://localhost:${v4.port}/`);
    expect(err.host).toBe('localhost');
    expect(err.range).toBe('loopback');
    expect(err.message).toContain('localhost resolves to');
    await expectBlockedWithoutSocket(client({ allow: [] }), `http://LOCALHOST.:${v4.port}/`);
  });

  it('blocks a host name whose DNS answer is loopback, and one whose answers mix public and loopback', async () => {
    const internal = client({ allow: [], resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const err = await expectBlockedWithoutSocket(internal, `http://status.internal.example.test:${v4.port}/`);
    expect(err.message).toBe(
      'blocked: status.internal.example.test resolves to 127.0.0.1, which is in loopback range (127.0.0.0/8); set APIQ_HTTP_ALLOW=127.0.0.1/32 to allow it',
    );

    const mixed = client({
      allow: [],
      resolve: async () => [
        { address: '2606:4700:4700::1111', family: 6 },
        { address: '93.184.215.14', family: 4 },
        { address: '::1', family: 6 },
      ],
    });
    expect((await expectBlockedWithoutSocket(mixed, `http://rebind.example.test:${v4.port}/`)).address).toBe('::1');
  });

  it('the default client (APIQ_HTTP_ALLOW unset) blocks the same way', async () => {
    expect(process.env.APIQ_HTTP_ALLOW).toBeUndefined();
    const defaults = client();
    await expectBlockedWithoutSocket(defaults, `http://127.0.0.1:${v4.port}/`);
    await expectBlockedWithoutSocket(defaults, 'http://169.254.169.254/latest/meta-data/');
    await expectBlockedWithoutSocket(defaults, `http://localhost:${v4.port}/`);
  });

  it('none of the loopback servers received a request or a connection', () => {
    expect(v4.requests).toEqual([]);
    expect(v4.connections).toBe(1); // the control request only
    if (v6) {
      expect(v6.requests).toEqual([]);
      expect(v6.connections).toBe(0);
    }
  });
});
