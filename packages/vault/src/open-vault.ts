import { rename } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import { jsonb, type Database } from '@apiq/db';
import { EnvelopeError, open, seal, type Envelope, type MasterKey } from './envelope.ts';
import {
  createKeyFile,
  keyFilePath,
  keyFromEnv,
  MASTER_KEY_ENV,
  MasterKeyError,
  NEW_MASTER_KEY_ENV,
  newKeyFilePath,
  readKeyFile,
} from './master-key.ts';

/** Serialises first boots (key creation) and rotations across processes. */
export const VAULT_LOCK_KEY = 7_461_820_503_201;
const CANARY_AAD = 'apiq:vault-canary';
const CANARY_TEXT = 'apiq vault canary v1';

export interface VaultLog {
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface OpenVaultOptions {
  db: Kysely<Database>;
  /** Where the key file lives when no key is in the environment (`<dataDir>/master.key`). */
  dataDir?: string;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where the loud "a key was generated" notice goes; defaults to stderr. */
  log?: VaultLog;
}

/** Seals and opens envelopes with the vault's master key. */
export interface Vault {
  /** Id of the key new envelopes are sealed with. */
  readonly kid: string;
  /** Where the key came from: the environment, an existing key file, or a key file created now. */
  readonly source: 'env' | 'file' | 'generated';
  /** The key file, when the key came from one. */
  readonly keyFile?: string;
  encrypt(plaintext: string, aad: string): Envelope;
  /** Opens an envelope sealed with any key this process holds; throws EnvelopeError otherwise. */
  decrypt(envelope: unknown, aad: string): string;
  /** The current key (for key rotation only). */
  readonly currentKey: MasterKey;
}

/** The vault refuses to start: the key is missing, malformed or not the vault's key. */
export class VaultBootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultBootError';
  }
}

/**
 * Opens the credential vault. The master key is `APIQ_MASTER_KEY` (base64 of 32 bytes), else the
 * key file `<dataDir>/master.key`. On a database without a vault yet and no key anywhere, a key
 * file is created (mode 0600) and a loud notice says to back it up. Once the vault exists, the
 * key must decrypt its canary or `openVault` throws a VaultBootError saying what to fix; a key is
 * never generated then.
 *
 * @example
 * const vault = await openVault({ db, dataDir: '.apiq' });
 * const env = vault.encrypt('{"token":"s3cret"}', credentialAad(workspaceId, id));
 */
export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrLog;
  return options.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(VAULT_LOCK_KEY)})`.execute(tx);
    const rows = await tx.selectFrom('vault_keys').select(['kid', 'status', 'canary']).execute();
    const active = rows.find((r) => r.status === 'active');
    const rotating = rows.find((r) => r.status === 'rotating');
    const file = options.dataDir ? keyFilePath(options.dataDir) : undefined;

    let key: MasterKey | undefined;
    let source: Vault['source'] = 'env';
    try {
      key = keyFromEnv(env);
      source = 'env';
      if (!key && file) {
        key = await readKeyFile(file);
        source = 'file';
      }
    } catch (err) {
      if (err instanceof MasterKeyError) throw new VaultBootError(err.message);
      throw err;
    }

    if (!active) {
      if (!key) {
        if (!file)
          throw new VaultBootError(
            `no master key: set ${MASTER_KEY_ENV} to the base64 of 32 random bytes, or give a data directory for a key file`,
          );
        key = await createKeyFile(file);
        source = 'generated';
        log.warn(
          `Generated a new master key for the credential vault in ${file} (readable by this user only). ` +
            `BACK IT UP: without it, stored credentials cannot be decrypted. ` +
            `To keep it elsewhere, set ${MASTER_KEY_ENV} to its contents and delete the file.`,
          { keyFile: file },
        );
      }
      await tx
        .insertInto('vault_keys')
        .values({
          kid: key.kid,
          status: 'active',
          canary: jsonb(seal(key, CANARY_TEXT, CANARY_AAD)),
          activated_at: new Date(),
        })
        .execute();
      return makeVault(key, source, source === 'env' ? undefined : file, []);
    }

    if (key && source === 'file' && file && options.dataDir && key.kid !== active.kid) {
      // `apiq vault rotate-key` finished but stopped before putting the new key file in place.
      const pendingFile = newKeyFilePath(options.dataDir);
      const pending = await readKeyFile(pendingFile).catch(() => undefined);
      if (pending?.kid === active.kid && opensCanary(pending, active.canary)) {
        await rename(pendingFile, file);
        key = pending;
      }
    }
    const where = source === 'env' ? MASTER_KEY_ENV : `the key file ${file}`;
    if (!key)
      throw new VaultBootError(
        `the vault's credentials are sealed with master key "${active.kid}", but no key was found: set ${MASTER_KEY_ENV}` +
          `${file ? ` or restore the key file ${file}` : ''}. A new key is never generated for an existing vault.`,
      );
    if (key.kid !== active.kid) {
      const known = rows.find((r) => r.kid === key.kid);
      throw new VaultBootError(
        known?.status === 'retired'
          ? `${where} holds master key "${key.kid}", which \`apiq vault rotate-key\` retired; use the new key "${active.kid}"`
          : known?.status === 'rotating'
            ? `${where} holds master key "${key.kid}", whose rotation has not finished; finish it with \`apiq vault rotate-key\` (the current key is "${active.kid}")`
            : `${where} holds master key "${key.kid}", but the vault's credentials are sealed with master key "${active.kid}": give the key the vault was created with`,
      );
    }
    if (!opensCanary(key, active.canary))
      throw new VaultBootError(
        `${where} does not decrypt the vault canary: it is not the key the vault's credentials were sealed with (key id "${active.kid}"). Give the original key.`,
      );
    const extra: MasterKey[] = [];
    if (rotating) {
      // While a rotation runs, envelopes already moved to the new key stay readable here.
      const candidate =
        safely(() => keyFromEnv(env, NEW_MASTER_KEY_ENV)) ??
        (options.dataDir ? await readKeyFile(newKeyFilePath(options.dataDir)).catch(() => undefined) : undefined);
      if (candidate && candidate.kid === rotating.kid && opensCanary(candidate, rotating.canary)) extra.push(candidate);
    }
    return makeVault(key, source, source === 'env' ? undefined : file, extra);
  });
}

/** Whether `key` opens a canary envelope. */
export function opensCanary(key: MasterKey, canary: unknown): boolean {
  try {
    return open(key, canary, CANARY_AAD) === CANARY_TEXT;
  } catch {
    return false;
  }
}

/** A canary envelope for `key`. */
export function sealCanary(key: MasterKey): Envelope {
  return seal(key, CANARY_TEXT, CANARY_AAD);
}

/** A vault over keys already checked (key rotation, tests). */
export function makeVault(
  current: MasterKey,
  source: Vault['source'],
  keyFile: string | undefined,
  others: MasterKey[],
): Vault {
  const keys = new Map<string, MasterKey>([...others, current].map((k) => [k.kid, k]));
  return {
    kid: current.kid,
    source,
    ...(keyFile ? { keyFile } : {}),
    currentKey: current,
    encrypt: (plaintext, aad) => seal(current, plaintext, aad),
    decrypt(envelope, aad) {
      const kid = (envelope as { kid?: unknown } | null)?.kid;
      const key = typeof kid === 'string' ? keys.get(kid) : undefined;
      if (!key)
        throw new EnvelopeError(
          `sealed with master key "${String(kid)}", which this process does not hold; after \`apiq vault rotate-key\`, restart it with the new ${MASTER_KEY_ENV}`,
        );
      return open(key, envelope, aad);
    },
  };
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const stderrLog: VaultLog = {
  warn(message) {
    process.stderr.write(`\n*** ${message}\n\n`);
  },
};
