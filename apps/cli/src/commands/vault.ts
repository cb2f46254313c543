import { rename } from 'node:fs/promises';
import {
  createKeyFile,
  keyFilePath,
  keyFromEnv,
  KeyRotationError,
  MasterKeyError,
  NEW_MASTER_KEY_ENV,
  newKeyFilePath,
  openVault,
  readKeyFile,
  rotateMasterKey,
  VaultBootError,
  type MasterKey,
} from '@apiq/vault';
import { authDb, recordAudit } from '@apiq/auth';
import { CliError, dataDir, openMigratedDatabase } from '../context.ts';

/**
 * `apiq vault rotate-key`: re-encrypts every stored credential with a new master key, in
 * resumable batches. The new key is `APIQ_NEW_MASTER_KEY`; when the current key is the key file,
 * a new key file is generated instead (`master.key.new`, moved over `master.key` at the end).
 * Interrupted? Run it again (with the same `APIQ_NEW_MASTER_KEY`): it continues.
 */
export async function vaultRotateKeyCommand(opts: { batchSize?: string }): Promise<number> {
  const batchSize = Number(opts.batchSize ?? 100);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size must be a positive whole number`);
  const opened = await openMigratedDatabase();
  try {
    const dir = dataDir();
    const vault = await openVault({ db: opened.db, dataDir: dir }).catch(asCliError);
    let newKey: MasterKey | undefined;
    try {
      newKey = keyFromEnv(process.env, NEW_MASTER_KEY_ENV);
    } catch (err) {
      asCliError(err);
    }
    const usesFile = vault.source !== 'env';
    if (!newKey && !usesFile)
      throw new CliError(
        `set ${NEW_MASTER_KEY_ENV} to the new key (base64 of 32 random bytes: ` +
          `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"); ` +
          'APIQ_MASTER_KEY stays the current key while the command runs',
      );
    const pendingFile = newKeyFilePath(dir);
    if (!newKey) {
      newKey = (await readKeyFile(pendingFile)) ?? (await createKeyFile(pendingFile));
      process.stdout.write(`New master key: ${pendingFile}\n`);
    }
    process.stdout.write(`Re-encrypting credentials from key ${vault.kid} to key ${newKey.kid}...\n`);
    const result = await rotateMasterKey({
      db: opened.db,
      vault,
      newKey,
      batchSize,
      onProgress: (p) => process.stdout.write(`  ${p.rotated} re-encrypted, ${p.remaining} to go\n`),
    }).catch(asCliError);
    process.stdout.write(
      `Done: ${result.rotated} envelope(s) re-encrypted${result.resumed ? ' (continued an interrupted rotation)' : ''}; the vault now uses key ${result.kid}.\n`,
    );
    await recordAudit(authDb(opened.db), {
      action: 'vault.key_rotated',
      actorLabel: 'apiq vault rotate-key',
      details: { from: vault.kid, to: result.kid, reencrypted: result.rotated, resumed: result.resumed },
    });
    if (usesFile && !process.env[NEW_MASTER_KEY_ENV]) {
      await rename(pendingFile, keyFilePath(dir));
      process.stdout.write(`The new key replaced ${keyFilePath(dir)}. Back it up, then restart APIQ.\n`);
    } else {
      process.stdout.write(
        `Now set APIQ_MASTER_KEY to the new key (the value of ${NEW_MASTER_KEY_ENV}) and restart APIQ.\n`,
      );
    }
    return 0;
  } finally {
    await opened.close();
  }
}

function asCliError(err: unknown): never {
  if (err instanceof VaultBootError || err instanceof KeyRotationError || err instanceof MasterKeyError)
    throw new CliError(err.message);
  throw err;
}
