import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, testServers } from '@apiq/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialAad } from './envelope.ts';
import { generateMasterKey } from './master-key.ts';
import { openVault, VaultBootError } from './open-vault.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(url: string) {
  const test = await createTestDatabase(url);
  cleanups.push(() => test.drop());
  const dataDir = await mkdtemp(join(tmpdir(), 'apiq-vault-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const notices: string[] = [];
  const log = { warn: (message: string) => void notices.push(message) };
  return { db: test.db, dataDir, notices, log };
}

const envWith = (key: { key: Buffer }) => ({ APIQ_MASTER_KEY: key.key.toString('base64') });
const bootError = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected the vault to refuse to open');
    },
    (err: unknown) => err as Error,
  );

describe.each(testServers())('opening the vault on $name', ({ url }) => {
  it('creates a 0600 key file on first boot without a key, says so loudly, and reads it on later boots', async () => {
    const { db, dataDir, notices, log } = await setup(url);
    const first = await openVault({ db, dataDir, env: {}, log });
    expect(first.source).toBe('generated');
    const keyFile = join(dataDir, 'master.key');
    expect(first.keyFile).toBe(keyFile);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(keyFile);
    expect(notices[0]).toContain('BACK IT UP');

    const sealed = first.encrypt('secret text', credentialAad('w', 'c'));
    const second = await openVault({ db, dataDir, env: {}, log });
    expect(second.source).toBe('file');
    expect(second.kid).toBe(first.kid);
    expect(second.decrypt(sealed, credentialAad('w', 'c'))).toBe('secret text');
    expect(notices).toHaveLength(1);
    const rows = await db.selectFrom('vault_keys').selectAll().execute();
    expect(rows.map((r) => [r.kid, r.status])).toEqual([[first.kid, 'active']]);
  });

  it('uses APIQ_MASTER_KEY when set, writing no file', async () => {
    const { db, dataDir, notices, log } = await setup(url);
    const key = generateMasterKey();
    const vault = await openVault({ db, dataDir, env: envWith(key), log });
    expect(vault).toMatchObject({ source: 'env', kid: key.kid });
    await expect(stat(join(dataDir, 'master.key'))).rejects.toThrow(/ENOENT/);
    expect(notices).toEqual([]);
  });

  it('refuses to boot with a key that does not decrypt the canary, and never generates one for an existing vault', async () => {
    const { db, dataDir, log } = await setup(url);
    const key = generateMasterKey();
    await openVault({ db, dataDir, env: envWith(key), log });

    const other = generateMasterKey();
    const wrong = await bootError(openVault({ db, dataDir, env: envWith(other), log }));
    expect(wrong).toBeInstanceOf(VaultBootError);
    expect(wrong.message).toBe(
      `APIQ_MASTER_KEY holds master key "${other.kid}", but the vault's credentials are sealed with master key "${key.kid}": give the key the vault was created with`,
    );

    // Same id claimed, different bytes: the canary is what decides.
    const impostor = await bootError(
      openVault({ db, dataDir, env: { ...envWith(other), APIQ_MASTER_KEY_ID: key.kid }, log }),
    );
    expect(impostor.message).toMatch(/^APIQ_MASTER_KEY does not decrypt the vault canary/);

    const missing = await bootError(openVault({ db, dataDir, env: {}, log }));
    expect(missing.message).toMatch(
      new RegExp(
        `^the vault's credentials are sealed with master key "${key.kid}", but no key was found: set APIQ_MASTER_KEY or restore the key file`,
      ),
    );
    await expect(stat(join(dataDir, 'master.key'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a key file that was replaced, and a malformed key, with the setting named', async () => {
    const { db, dataDir, log } = await setup(url);
    await openVault({ db, dataDir, env: {}, log });
    await writeFile(join(dataDir, 'master.key'), generateMasterKey().key.toString('base64'));
    const replaced = await bootError(openVault({ db, dataDir, env: {}, log }));
    expect(replaced.message).toMatch(/^the key file .*master\.key holds master key "k[0-9a-f]+", but the vault's/);

    const malformed = await bootError(openVault({ db, dataDir, env: { APIQ_MASTER_KEY: 'c2hvcnQ=' }, log }));
    expect(malformed).toBeInstanceOf(VaultBootError);
    expect(malformed.message).toMatch(/^APIQ_MASTER_KEY decodes to 5 bytes/);
  });

  it('gives processes booting at the same time on a new database one and the same key', async () => {
    const { db, dataDir, log } = await setup(url);
    const vaults = await Promise.all([1, 2, 3].map(() => openVault({ db, dataDir, env: {}, log })));
    expect(new Set(vaults.map((v) => v.kid)).size).toBe(1);
    expect((await readFile(join(dataDir, 'master.key'), 'utf8')).trim()).toBe(
      vaults[0]!.currentKey.key.toString('base64'),
    );
    expect(await db.selectFrom('vault_keys').select('kid').execute()).toHaveLength(1);
  });
});
