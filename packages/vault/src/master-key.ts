import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MasterKey } from './envelope.ts';

export const MASTER_KEY_ENV = 'APIQ_MASTER_KEY';
export const MASTER_KEY_ID_ENV = 'APIQ_MASTER_KEY_ID';
export const NEW_MASTER_KEY_ENV = 'APIQ_NEW_MASTER_KEY';
export const KEY_FILE_NAME = 'master.key';
/** Where `apiq vault rotate-key` keeps a generated new key until the rotation completes. */
export const NEW_KEY_FILE_NAME = 'master.key.new';

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const GENERATE_HINT = `generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`;

/** A bad master key setting; the message says which setting and what to do. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/**
 * Reads a master key written as base64 (or base64url) of 32 bytes. The key id is `kid` when
 * given, else derived from the key, so the same key always has the same id.
 *
 * @example
 * parseMasterKey(process.env.APIQ_MASTER_KEY!, 'APIQ_MASTER_KEY'); // → { kid: 'k3f9c…', key: <Buffer …> }
 */
export function parseMasterKey(text: string, source: string, kid?: string): MasterKey {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))
    throw new MasterKeyError(`${source} is not base64; it must be the base64 of 32 random bytes (${GENERATE_HINT})`);
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32)
    throw new MasterKeyError(
      `${source} decodes to ${key.length} bytes; it must be the base64 of exactly 32 random bytes (${GENERATE_HINT})`,
    );
  if (kid !== undefined && !KID.test(kid))
    throw new MasterKeyError(`${MASTER_KEY_ID_ENV} "${kid}" must be 1–64 letters, digits, ".", "_" or "-"`);
  return { kid: kid ?? deriveKeyId(key), key };
}

/** A short, stable id for a key that reveals nothing about it. */
export function deriveKeyId(key: Buffer): string {
  return `k${createHash('sha256').update('apiq-master-key-id\0').update(key).digest('hex').slice(0, 16)}`;
}

/** A new random key. */
export function generateMasterKey(): MasterKey {
  const key = randomBytes(32);
  return { kid: deriveKeyId(key), key };
}

/** The key in the environment (`APIQ_MASTER_KEY`, optional `APIQ_MASTER_KEY_ID`), if any. */
export function keyFromEnv(env: NodeJS.ProcessEnv, name = MASTER_KEY_ENV): MasterKey | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const kid = name === MASTER_KEY_ENV ? env[MASTER_KEY_ID_ENV]?.trim() || undefined : undefined;
  return parseMasterKey(text, name, kid);
}

/** The key stored in a key file, or undefined when the file does not exist. */
export async function readKeyFile(path: string): Promise<MasterKey | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MasterKeyError(`cannot read the master key file ${path}: ${(err as Error).message}`);
  }
  return parseMasterKey(text, `the master key file ${path}`);
}

/**
 * Writes a new random key to `path` (mode 0600), never over an existing file: if another
 * process wrote one first, that key is returned instead.
 */
export async function createKeyFile(path: string): Promise<MasterKey> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const generated = generateMasterKey();
  try {
    await writeFile(path, `${generated.key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new MasterKeyError(`cannot write the master key file ${path}: ${(err as Error).message}`);
    const existing = await readKeyFile(path);
    if (!existing) throw new MasterKeyError(`the master key file ${path} vanished while it was being created`);
    return existing;
  }
}

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE_NAME);
}

export function newKeyFilePath(dataDir: string): string {
  return join(dataDir, NEW_KEY_FILE_NAME);
}
