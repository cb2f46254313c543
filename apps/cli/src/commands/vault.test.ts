import { sql } from 'kysely';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { createTestDatabase, testServers, type TestDatabase } from '@apiq/db/testing';
import { createStaticCatalog } from '@apiq/sdk';
import { createConnection, createCredentialResolver, openVault } from '@apiq/vault';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));
const catalog = createStaticCatalog([]);
const quiet = { warn: () => undefined };

describe('apiq vault rotate-key', () => {
  let test: TestDatabase;
  let dir = '';
  const apiq = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, DATABASE_URL: test.url, APIQ_DATA_DIR: dir, APIQ_LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    test = await createTestDatabase(testServers()[0]!.url);
    dir = await mkdtemp(join(tmpdir(), 'apiq-rotate-'));
  });
  afterAll(async () => {
    await test?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-encrypts every credential under a new key file and leaves the vault readable with it', async () => {
    const before = await openVault({ db: test.db, dataDir: dir, env: {}, log: quiet });
    expect(before.source).toBe('generated');
    const oldFile = await readFile(join(dir, 'master.key'), 'utf8');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await createConnection({ db: test.db, vault: before, catalog }, DEFAULT_WORKSPACE_ID, {
        name: `api ${i}`,
        kind: 'http_bearer',
        values: { token: `secret-token-${i}` },
      });
      ids.push(c.id);
    }

    const r = await apiq({}, 'vault', 'rotate-key', '--batch-size', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Re-encrypting credentials from key ${before.kid} to key k`);
    expect(r.stdout).toMatch(/ {2}2 re-encrypted, 1 to go\n {2}3 re-encrypted, 0 to go\n/);
    expect(r.stdout).toMatch(/Done: 3 envelope\(s\) re-encrypted; the vault now uses key k[0-9a-f]{16}\./);
    expect(await readFile(join(dir, 'master.key'), 'utf8')).not.toBe(oldFile);
    await expect(stat(join(dir, 'master.key.new'))).rejects.toThrow(/ENOENT/);

    const after = await openVault({ db: test.db, dataDir: dir, env: {}, log: quiet });
    expect(after.kid).not.toBe(before.kid);
    const audit = await sql<{ details: { from: string; to: string } }>`
      select details from audit_log where action = 'vault.key_rotated'`.execute(test.db);
    expect(audit.rows).toEqual([{ details: expect.objectContaining({ from: before.kid, to: after.kid }) }]);
    const resolve = createCredentialResolver({ db: test.db, vault: after, catalog });
    for (const [i, id] of ids.entries())
      expect((await resolve(DEFAULT_WORKSPACE_ID, { http_bearer: id })).http_bearer?.token).toBe(`secret-token-${i}`);
  });

  it('asks for APIQ_NEW_MASTER_KEY when the current key comes from the environment', async () => {
    const current = (await readFile(join(dir, 'master.key'), 'utf8')).trim();
    const r = await apiq({ APIQ_MASTER_KEY: current }, 'vault', 'rotate-key');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: set APIQ_NEW_MASTER_KEY to the new key \(base64 of 32 random bytes/);
    const wrong = await apiq({ APIQ_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') }, 'vault', 'rotate-key');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^error: APIQ_MASTER_KEY holds master key "k[0-9a-f]+", but the vault's credentials are sealed/,
    );
  });
});
