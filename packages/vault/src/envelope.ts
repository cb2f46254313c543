import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** An AES-256-GCM ciphertext with what is needed to open it; stored as jsonb. Binary fields are base64. */
export interface Envelope {
  v: 1;
  /** Id of the master key that sealed it. */
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

/** A 32-byte AES-256 key with its id. */
export interface MasterKey {
  kid: string;
  key: Buffer;
}

/** An envelope that cannot be opened: wrong key, wrong AAD, or tampered with. */
export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/**
 * Encrypts `plaintext` with AES-256-GCM under `key`, binding `aad` (which must be given again to
 * open it: an envelope copied to another row does not open there).
 *
 * @example
 * const env = seal(key, JSON.stringify({ token: 's3cret' }), 'credential:ws-1:cred-1');
 * open(key, env, 'credential:ws-1:cred-1'); // → '{"token":"s3cret"}'
 */
export function seal(key: MasterKey, plaintext: string, aad: string): Envelope {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    v: 1,
    kid: key.kid,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

/**
 * Decrypts an envelope sealed by `seal` with the same key and AAD. Throws EnvelopeError when the
 * key, the AAD or any byte of the envelope differs.
 *
 * @example
 * open(key, row.envelope, credentialAad(row.workspace_id, row.id));
 */
export function open(key: MasterKey, envelope: unknown, aad: string): string {
  const env = parseEnvelope(envelope);
  if (env.kid !== key.kid)
    throw new EnvelopeError(`the envelope was sealed with master key "${env.kid}", not "${key.kid}"`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(env.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(env.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(env.ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new EnvelopeError(
      `the envelope does not open with master key "${key.kid}": it was altered, or belongs to another record`,
    );
  }
}

/** Checks the shape of a stored envelope. */
export function parseEnvelope(value: unknown): Envelope {
  const v = value as Partial<Envelope> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.v !== 1 ||
    typeof v.kid !== 'string' ||
    typeof v.iv !== 'string' ||
    typeof v.tag !== 'string' ||
    typeof v.ct !== 'string' ||
    Buffer.from(v.iv, 'base64').length !== 12 ||
    Buffer.from(v.tag, 'base64').length !== 16
  )
    throw new EnvelopeError('not a vault envelope: expected { v: 1, kid, iv (12 bytes), tag (16 bytes), ct }');
  return v as Envelope;
}

/** The AAD of a credential's envelope: it only opens as that credential of that workspace. */
export function credentialAad(workspaceId: string, credentialId: string): string {
  return `apiq:credential:${workspaceId}:${credentialId}`;
}
