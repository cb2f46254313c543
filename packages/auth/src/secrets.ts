import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** A random string of 24 base32 characters (120 bits), as the Lucia guide recommends for ids and secrets. */
export function generateSecureRandomString(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(15));
}

/** SHA-256 of a secret: what is stored instead of the secret itself. */
export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** Compares two hashes in constant time. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** A token of the form `<id>.<secret>`: the id finds the row, the secret proves possession. */
export interface SplitToken {
  id: string;
  secret: string;
}

export function newToken(): SplitToken & { token: string } {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  return { id, secret, token: `${id}.${secret}` };
}

export function splitToken(token: string, separator = '.'): SplitToken | undefined {
  const at = token.indexOf(separator);
  if (at <= 0 || at === token.length - 1) return undefined;
  const id = token.slice(0, at);
  const secret = token.slice(at + 1);
  if (!/^[a-z2-7]{24}$/.test(id) || !/^[a-z2-7]{24}$/.test(secret)) return undefined;
  return { id, secret };
}

/** Lower-cased, trimmed email (the form every table stores). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
