import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { allowListFromEnv, isAddressAllowed, isHostAllowed, parseAllowList } from './allow-list.ts';
import { SafeFetchError } from './errors.ts';

const ip = (text: string) => ipaddr.parse(text);

describe('parseAllowList', () => {
  it('reads CIDRs, single addresses, host names and wildcards from a comma-separated string', () => {
    const list = parseAllowList(
      ' 127.0.0.1/32, ::1/128 ,10.1.0.0/16,192.168.5.5, Billing.Internal., *.svc.cluster.local,,',
    );
    expect(list.entries).toEqual([
      '127.0.0.1/32',
      '::1/128',
      '10.1.0.0/16',
      '192.168.5.5',
      'Billing.Internal.',
      '*.svc.cluster.local',
    ]);
    expect(list.ranges).toHaveLength(4);
    expect([...list.hosts]).toEqual(['billing.internal']);
    expect(list.suffixes).toEqual(['.svc.cluster.local']);
  });

  it('matches addresses inside the ranges only', () => {
    const list = parseAllowList(['127.0.0.1/32', '10.1.0.0/16', '192.168.5.5', '::1/128']);
    expect(isAddressAllowed(list, ip('127.0.0.1'))).toBe(true);
    expect(isAddressAllowed(list, ip('127.0.0.2'))).toBe(false);
    expect(isAddressAllowed(list, ip('10.1.200.3'))).toBe(true);
    expect(isAddressAllowed(list, ip('10.2.0.1'))).toBe(false);
    expect(isAddressAllowed(list, ip('192.168.5.5'))).toBe(true);
    expect(isAddressAllowed(list, ip('192.168.5.6'))).toBe(false);
    expect(isAddressAllowed(list, ip('::1'))).toBe(true);
    expect(isAddressAllowed(list, ip('::2'))).toBe(false);
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address, in entries and in addresses', () => {
    expect(isAddressAllowed(parseAllowList('127.0.0.1/32'), ip('::ffff:127.0.0.1'))).toBe(true);
    expect(isAddressAllowed(parseAllowList('::ffff:10.0.0.0/104'), ip('10.9.9.9'))).toBe(true);
    expect(isAddressAllowed(parseAllowList('::1/128'), ip('127.0.0.1'))).toBe(false);
  });

  it('matches host names exactly and wildcards on subdomains only', () => {
    const list = parseAllowList('billing.internal,*.svc.local');
    expect(isHostAllowed(list, 'BILLING.internal')).toBe(true);
    expect(isHostAllowed(list, 'billing.internal.')).toBe(true);
    expect(isHostAllowed(list, 'evil-billing.internal')).toBe(false);
    expect(isHostAllowed(list, 'a.svc.local')).toBe(true);
    expect(isHostAllowed(list, 'svc.local')).toBe(false);
    expect(isHostAllowed(list, 'a.svc.local.evil.com')).toBe(false);
  });

  it.each([
    '10.0.0.0/33',
    '::1/129',
    'not a host',
    '0177.0.0.1/32',
    '127.1/8',
    '1.2.3.4/8/8',
    'http://x',
    '10.0.0.0/',
    '*.',
    '2130706433',
  ])('rejects %s with a message naming the entry and the source', (entry) => {
    let caught: unknown;
    try {
      parseAllowList(entry, 'APIQ_HTTP_ALLOW');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SafeFetchError);
    expect((caught as SafeFetchError).code).toBe('APIQ_HTTP_INVALID_ALLOW_LIST');
    expect((caught as Error).message).toContain('APIQ_HTTP_ALLOW');
    expect((caught as Error).message).toContain(JSON.stringify(entry));
  });

  it('is empty when the environment variable is unset, and reads it when set', () => {
    expect(allowListFromEnv({}).entries).toEqual([]);
    const list = allowListFromEnv({ APIQ_HTTP_ALLOW: '127.0.0.1/32,::1/128' });
    expect(isAddressAllowed(list, ip('127.0.0.1'))).toBe(true);
    expect(isAddressAllowed(list, ip('::1'))).toBe(true);
    expect(isAddressAllowed(list, ip('10.0.0.1'))).toBe(false);
  });
});
