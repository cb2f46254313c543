import { describe, expect, it } from 'vitest';
import { BlockedAddressError, SafeFetchError } from './errors.ts';
import { resolveSafeAddress } from './resolve-safe-address.ts';
import type { HostResolver } from './check-destination.ts';

const answers =
  (table: Record<string, string[]>): HostResolver =>
  async (name) => {
    const found = table[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('resolveSafeAddress', () => {
  it('returns a checked public address for a host name, preferring IPv4, and keeps the name for TLS', async () => {
    const resolve = answers({ 'smtp.example.com': ['2606:4700::6810:84e5', '93.184.215.14'] });
    await expect(resolveSafeAddress('smtp.example.com', { allow: [], resolve })).resolves.toEqual({
      host: 'smtp.example.com',
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('refuses loopback, private and metadata addresses in any spelling, naming the host and the fix', async () => {
    const err = await resolveSafeAddress('0x7f.1', { allow: [], scheme: 'smtp', port: 25 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect((err as BlockedAddressError).address).toBe('127.0.0.1');
    expect((err as Error).message).toMatch(/loopback/);
    expect((err as Error).message).toMatch(/APIQ_HTTP_ALLOW=127\.0\.0\.1\/32/);
    await expect(resolveSafeAddress('169.254.169.254', { allow: [] })).rejects.toMatchObject({
      code: 'APIQ_SSRF_BLOCKED',
      range: 'link-local',
    });
    await expect(resolveSafeAddress('[::ffff:10.0.0.1]', { allow: [] })).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('refuses a name when any of its addresses is private (no race between answers)', async () => {
    const resolve = answers({ 'mail.corp.example': ['93.184.215.14', '10.1.2.3'] });
    const err = (await resolveSafeAddress('mail.corp.example', { allow: [], resolve, scheme: 'smtp', port: 587 }).catch(
      (e: unknown) => e,
    )) as BlockedAddressError;
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toMatch(/mail\.corp\.example resolves to 10\.1\.2\.3/);
    expect(err.url).toBe('smtp://mail.corp.example:587');
  });

  it('lets the allow-list open a range or a host name', async () => {
    await expect(resolveSafeAddress('127.0.0.1', { allow: ['127.0.0.1/32'] })).resolves.toMatchObject({
      address: '127.0.0.1',
      family: 4,
    });
    const resolve = answers({ 'relay.internal': ['10.9.8.7'] });
    await expect(resolveSafeAddress('relay.internal', { allow: ['relay.internal'], resolve })).resolves.toMatchObject({
      host: 'relay.internal',
      address: '10.9.8.7',
    });
  });

  it('says which host could not be resolved and rejects what is not a host', async () => {
    const err = (await resolveSafeAddress('nowhere.example', { allow: [], resolve: answers({}) }).catch(
      (e: unknown) => e,
    )) as SafeFetchError;
    expect(err.code).toBe('APIQ_HTTP_DNS_FAILED');
    expect(err.message).toMatch(/could not resolve host "nowhere\.example".*ENOTFOUND/);
    await expect(resolveSafeAddress('mail.example.com/path', { allow: [] })).rejects.toThrow(
      /"mail.example.com\/path" is not a valid host name/,
    );
    await expect(resolveSafeAddress('', { allow: [] })).rejects.toMatchObject({ code: 'APIQ_HTTP_INVALID_URL' });
  });
});
