import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { createTestDatabase, testServers } from '@apiq/db/testing';
import { createStaticCatalog } from '@apiq/sdk';
import { rejectionOf } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection } from './connections.ts';
import { generateMasterKey } from './master-key.ts';
import { openVault, VaultBootError } from './open-vault.ts';
import { createCredentialResolver } from './resolve-credentials.ts';
import { KeyRotationError, rotateMasterKey } from './rotate-key.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const env = (key: { key: Buffer }) => ({ APIQ_MASTER_KEY: key.key.toString('base64') });
const WS = DEFAULT_WORKSPACE_ID;
const catalog = createStaticCatalog([]);

class SimulatedCrash extends Error {}

describe.each(testServers())('rotating the master key on $name', ({ url }) => {
  it('re-encrypts in batches, resumes after a crash, and switches the canary last', async () => {
    const test = await createTestDatabase(url);
    cleanups.push(() => test.drop());
    const { db } = test;
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const vault = await openVault({ db, env: env(oldKey) });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await createConnection({ db, vault, catalog }, WS, {
            name: `c${i}`,
            kind: 'http_bearer',
            values: { token: `token-${i}-secret` },
          })
        ).id,
      );

    const progress: number[] = [];
    const crash = await rejectionOf(
      rotateMasterKey({
        db,
        vault,
        newKey,
        batchSize: 2,
        onProgress: (p) => {
          progress.push(p.rotated);
          if (p.rotated === 2) throw new SimulatedCrash('killed after the first batch');
        },
      }),
    );
    expect(crash).toBeInstanceOf(SimulatedCrash);
    const kids = async () =>
      (await db.selectFrom('credentials').select('envelope').execute()).map((r) => (r.envelope as { kid: string }).kid);
    expect((await kids()).filter((k) => k === newKey.kid)).toHaveLength(2);
    // Mid-rotation the old key is still the vault's key: processes keep booting with it.
    const midway = await db.selectFrom('vault_keys').select(['kid', 'status', 'progress']).orderBy('status').execute();
    expect(midway).toEqual([
      { kid: oldKey.kid, status: 'active', progress: null },
      { kid: newKey.kid, status: 'rotating', progress: { rotated: 2, lastId: expect.any(String) } },
    ]);
    await openVault({ db, env: env(oldKey) });

    // Another new key cannot take over a half-done rotation.
    const other = await rejectionOf(rotateMasterKey({ db, vault, newKey: generateMasterKey() }));
    expect(other).toBeInstanceOf(KeyRotationError);
    expect(other.message).toMatch(new RegExp(`^a rotation to key "${newKey.kid}" was started and has not finished`));

    // A credential written during the rotation, under the old key, is swept up too.
    ids.push(
      (
        await createConnection({ db, vault, catalog }, WS, {
          name: 'late',
          kind: 'http_bearer',
          values: { token: 'late-secret' },
        })
      ).id,
    );

    const result = await rotateMasterKey({
      db,
      vault,
      newKey,
      batchSize: 2,
      onProgress: (p) => progress.push(p.rotated),
    });
    expect(result).toMatchObject({ kid: newKey.kid, previousKid: oldKey.kid, resumed: true, rotated: 4 });
    expect(progress).toEqual([2, 4, 6]);
    expect(new Set(await kids())).toEqual(new Set([newKey.kid]));
    const keys = await db.selectFrom('vault_keys').select(['kid', 'status']).orderBy('status').execute();
    expect(keys).toEqual([
      { kid: newKey.kid, status: 'active' },
      { kid: oldKey.kid, status: 'retired' },
    ]);

    const stale = await rejectionOf(openVault({ db, env: env(oldKey) }));
    expect(stale).toBeInstanceOf(VaultBootError);
    expect(stale.message).toBe(
      `APIQ_MASTER_KEY holds master key "${oldKey.kid}", which \`apiq vault rotate-key\` retired; use the new key "${newKey.kid}"`,
    );
    const fresh = await openVault({ db, env: env(newKey) });
    const resolved = await createCredentialResolver({ db, vault: fresh, catalog })(WS, { http_bearer: ids[5]! });
    expect(resolved.http_bearer?.token).toBe('late-secret');
    for (const [i, id] of ids.slice(0, 5).entries())
      expect(
        (await createCredentialResolver({ db, vault: fresh, catalog })(WS, { http_bearer: id })).http_bearer?.token,
      ).toBe(`token-${i}-secret`);

    // The old process may no longer write: its envelopes would be unreadable with the new key.
    const refused = await rejectionOf(
      createConnection({ db, vault, catalog }, WS, {
        name: 'after',
        kind: 'http_bearer',
        values: { token: 'x-secret' },
      }),
    );
    expect(refused.message).toBe(
      `the vault's master key was rotated to "${newKey.kid}"; restart this process with the new APIQ_MASTER_KEY before changing credentials`,
    );
  });
});
