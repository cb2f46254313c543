import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { createTestDatabase, testServers } from '@apiq/db/testing';
import { createStaticCatalog } from '@apiq/sdk';
import { rejectionOf } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLimits } from './connection-limits.ts';
import { createConnection, getConnection, listConnections, updateConnection } from './connections.ts';
import { ConnectionInvalidError } from './errors.ts';
import { generateMasterKey } from './master-key.ts';
import { openVault } from './open-vault.ts';
import type { VaultDeps } from './credential-store.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('checkLimits', () => {
  it('accepts a rate, a burst and a concurrency cap, and treats null and {} as no limits', () => {
    expect(checkLimits({ requestsPerSecond: 2.5, burst: 3, concurrency: 2 })).toEqual({
      ok: true,
      limits: { requestsPerSecond: 2.5, burst: 3, concurrency: 2 },
    });
    expect(checkLimits(null)).toEqual({ ok: true, limits: null });
    expect(checkLimits(undefined)).toEqual({ ok: true, limits: null });
    expect(checkLimits({})).toEqual({ ok: true, limits: null });
  });

  it('names each bad field', () => {
    expect(checkLimits({ requestsPerSecond: 0, concurrency: 1.5 })).toEqual({
      ok: false,
      issues: [
        { path: 'limits.requestsPerSecond', message: 'must be more than 0' },
        { path: 'limits.concurrency', message: 'must be a whole number' },
      ],
    });
    expect(checkLimits({ burst: 5 })).toEqual({
      ok: false,
      issues: [{ path: 'limits.burst', message: 'burst needs requestsPerSecond' }],
    });
    expect(checkLimits({ rps: 5 })).toEqual({
      ok: false,
      issues: [
        { path: 'limits', message: 'unknown field(s) rps; limits have requestsPerSecond, burst and concurrency' },
      ],
    });
    expect(checkLimits(5)).toMatchObject({ ok: false, issues: [{ path: 'limits' }] });
  });
});

describe.each(testServers())('connection limits on $name', ({ url }) => {
  async function setup(): Promise<VaultDeps> {
    const test = await createTestDatabase(url);
    cleanups.push(() => test.drop());
    const vault = await openVault({
      db: test.db,
      env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') },
    });
    return { db: test.db, vault, catalog: createStaticCatalog([], []) };
  }
  const WS = DEFAULT_WORKSPACE_ID;

  it('are stored with the connection, shown with it, replaced and removed by updates', async () => {
    const deps = await setup();
    const created = await createConnection(deps, WS, {
      name: 'Limited',
      kind: 'http_bearer',
      values: { token: 'limited-token' },
      limits: { requestsPerSecond: 5, concurrency: 2 },
    });
    expect(created.limits).toEqual({ requestsPerSecond: 5, concurrency: 2 });
    expect((await listConnections(deps, WS))[0]?.limits).toEqual({ requestsPerSecond: 5, concurrency: 2 });

    const renamed = await updateConnection(deps, WS, created.id, { name: 'Still limited' });
    expect(renamed.limits).toEqual({ requestsPerSecond: 5, concurrency: 2 });
    const rotated = await updateConnection(deps, WS, created.id, { values: { token: 'new-token-value' } });
    expect(rotated.limits).toEqual({ requestsPerSecond: 5, concurrency: 2 });

    const replaced = await updateConnection(deps, WS, created.id, { limits: { concurrency: 1 } });
    expect(replaced.limits).toEqual({ concurrency: 1 });
    const removed = await updateConnection(deps, WS, created.id, { limits: null });
    expect(removed.limits).toBeNull();
    expect((await getConnection(deps, WS, created.id)).limits).toBeNull();
  });

  it('refuses invalid limits, naming the field, and writes nothing', async () => {
    const deps = await setup();
    const err = await rejectionOf<ConnectionInvalidError>(
      createConnection(deps, WS, {
        name: 'Bad',
        kind: 'http_bearer',
        values: { token: 'some-token' },
        limits: { concurrency: 0 },
      }),
    );
    expect(err).toBeInstanceOf(ConnectionInvalidError);
    expect(err.issues).toEqual([{ path: 'limits.concurrency', message: 'at least 1' }]);
    expect(err.message).toBe('connection "Bad" (http_bearer): limits.concurrency: at least 1');
    expect(await listConnections(deps, WS)).toEqual([]);

    const ok = await createConnection(deps, WS, {
      name: 'Ok',
      kind: 'http_bearer',
      values: { token: 'some-token' },
      limits: { concurrency: 3 },
    });
    const bad = await rejectionOf<ConnectionInvalidError>(
      updateConnection(deps, WS, ok.id, { name: 'Renamed', limits: { requestsPerSecond: -1 } }),
    );
    expect(bad.issues).toEqual([{ path: 'limits.requestsPerSecond', message: 'must be more than 0' }]);
    expect(await getConnection(deps, WS, ok.id)).toMatchObject({ name: 'Ok', limits: { concurrency: 3 } });
  });
});
