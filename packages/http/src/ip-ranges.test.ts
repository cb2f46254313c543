import { describe, expect, it } from 'vitest';
import { classifyAddress, parseIpLiteral } from './ip-ranges.ts';

describe('classifyAddress', () => {
  const blocked: Array<[string, string]> = [
    // loopback in every spelling the OS accepts
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0177.0000.0000.0001', 'loopback'],
    ['127.1', 'loopback'],
    ['127.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    // unspecified
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    // private
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['0xc0a80101', 'private'],
    ['fc00::1', 'unique-local (private)'],
    ['fd12:3456:789a::1', 'unique-local (private)'],
    // link-local and the cloud metadata service
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['2852039166', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    // carrier-grade NAT, multicast, broadcast, reserved
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['2001:db8::1', 'documentation'],
    ['fec0::1', 'site-local'],
    ['100::1', 'discard'],
    // IPv6 forms that carry a blocked IPv4 address
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::7f00:1', 'IPv4-compatible IPv6'],
    ['::127.0.0.1', 'IPv4-compatible IPv6'],
    ['::8.8.8.8', 'IPv4-compatible IPv6'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 link-local'],
    ['64:ff9b::10.0.0.1', 'NAT64 private'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 loopback'],
    ['2002:a9fe:a9fe::', '6to4 link-local'],
    ['2002:c0a8:101::1', '6to4 private'],
    // Teredo: client 127.0.0.1 obfuscated (XOR 0xffff) in the last 32 bits
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo loopback'],
    // outside 2000::/3 global unicast
    ['4000::1', 'reserved'],
    ['5f00::1', 'reserved'],
  ];

  it.each(blocked)('blocks %s as %s', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict.blocked).toBe(true);
    expect(verdict.blocked && verdict.range).toBe(range);
  });

  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    // Teredo with public server and client (client 8.8.8.8 → f7f7:f7f7)
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
  ];

  it.each(allowed)('lets %s through', (address) => {
    expect(classifyAddress(address)).toEqual({ blocked: false, address: expect.any(String) });
  });

  it('names the normalised address and the CIDR of the range', () => {
    expect(classifyAddress('0x7f000001')).toEqual({
      blocked: true,
      address: '127.0.0.1',
      range: 'loopback',
      cidr: '127.0.0.0/8',
    });
    expect(classifyAddress('::ffff:7f00:1')).toEqual({
      blocked: true,
      address: '127.0.0.1',
      range: 'IPv4-mapped loopback',
      cidr: '127.0.0.0/8',
    });
    expect(classifyAddress('172.20.1.1')).toMatchObject({ cidr: '172.16.0.0/12' });
    expect(classifyAddress('::ffff:8.8.8.8')).toEqual({ blocked: false, address: '8.8.8.8' });
  });

  it('treats text that is not an address as blocked rather than guessing', () => {
    expect(classifyAddress('not-an-ip')).toMatchObject({ blocked: true, range: 'unparseable' });
  });
});

describe('parseIpLiteral', () => {
  it('reads odd IPv4 spellings the way the OS does', () => {
    for (const spelling of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0x7f.1']) {
      expect(parseIpLiteral(spelling)?.toString()).toBe('127.0.0.1');
    }
  });

  it('reads bracketed and bare IPv6', () => {
    expect(parseIpLiteral('[::1]')?.toString()).toBe('::1');
    expect(parseIpLiteral('::ffff:7f00:1')?.kind()).toBe('ipv6');
  });

  it('returns undefined for host names', () => {
    expect(parseIpLiteral('localhost')).toBeUndefined();
    expect(parseIpLiteral('api.example.com')).toBeUndefined();
    expect(parseIpLiteral('1.2.3.4.example')).toBeUndefined();
  });
});
