import { describe, expect, it } from 'vitest';
import { credentialAad, EnvelopeError, open, parseEnvelope, seal } from './envelope.ts';
import { generateMasterKey, parseMasterKey } from './master-key.ts';

const key = generateMasterKey();
const aad = credentialAad('ws-1', 'cred-1');

const flip = (b64: string, at = 0) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes.toString('base64');
};

describe('envelopes', () => {
  it('round-trip, with a fresh IV each time and no plaintext inside', () => {
    const a = seal(key, '{"token":"s3cret-value"}', aad);
    const b = seal(key, '{"token":"s3cret-value"}', aad);
    expect(a).toMatchObject({ v: 1, kid: key.kid });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(JSON.stringify(a)).not.toContain('s3cret');
    expect(open(key, a, aad)).toBe('{"token":"s3cret-value"}');
  });

  it('refuse to open when any part was altered', () => {
    const env = seal(key, 'hello world', aad);
    for (const tampered of [
      { ...env, ct: flip(env.ct) },
      { ...env, tag: flip(env.tag) },
      { ...env, iv: flip(env.iv) },
    ]) {
      expect(() => open(key, tampered, aad)).toThrow(EnvelopeError);
      expect(() => open(key, tampered, aad)).toThrow(
        /does not open with master key .*altered, or belongs to another record/,
      );
    }
  });

  it('are bound to their record: another workspace or credential id (AAD) does not open them', () => {
    const env = seal(key, 'hello world', aad);
    expect(() => open(key, env, credentialAad('ws-1', 'cred-2'))).toThrow(EnvelopeError);
    expect(() => open(key, env, credentialAad('ws-2', 'cred-1'))).toThrow(EnvelopeError);
  });

  it('do not open with another key, even one claiming the same id', () => {
    const env = seal(key, 'hello world', aad);
    const other = generateMasterKey();
    expect(() => open(other, env, aad)).toThrow(
      `the envelope was sealed with master key "${key.kid}", not "${other.kid}"`,
    );
    expect(() => open({ kid: key.kid, key: other.key }, env, aad)).toThrow(EnvelopeError);
  });

  it('reject things that are not envelopes', () => {
    expect(() => parseEnvelope({ v: 2 })).toThrow('not a vault envelope');
    expect(() => parseEnvelope('text')).toThrow('not a vault envelope');
    expect(() => parseEnvelope({ ...seal(key, 'x', aad), iv: 'AAAA' })).toThrow('iv (12 bytes)');
  });
});

describe('master keys', () => {
  it('are base64 of 32 bytes with a stable derived id, or the id given', () => {
    const text = Buffer.alloc(32, 7).toString('base64');
    const a = parseMasterKey(text, 'APIQ_MASTER_KEY');
    expect(a.kid).toMatch(/^k[0-9a-f]{16}$/);
    expect(parseMasterKey(`${text}\n`, 'APIQ_MASTER_KEY').kid).toBe(a.kid);
    expect(parseMasterKey(Buffer.alloc(32, 7).toString('base64url'), 'x').key.equals(a.key)).toBe(true);
    expect(parseMasterKey(text, 'APIQ_MASTER_KEY', 'prod-2026').kid).toBe('prod-2026');
  });

  it('give a clear error naming the setting when malformed', () => {
    expect(() => parseMasterKey(Buffer.alloc(16).toString('base64'), 'APIQ_MASTER_KEY')).toThrow(
      /^APIQ_MASTER_KEY decodes to 16 bytes; it must be the base64 of exactly 32 random bytes \(generate one with: node -e/,
    );
    expect(() => parseMasterKey('not base64!', 'APIQ_MASTER_KEY')).toThrow(/^APIQ_MASTER_KEY is not base64/);
    expect(() => parseMasterKey(Buffer.alloc(32).toString('base64'), 'APIQ_MASTER_KEY', 'bad id!')).toThrow(
      'APIQ_MASTER_KEY_ID "bad id!" must be 1–64 letters, digits, ".", "_" or "-"',
    );
  });
});
