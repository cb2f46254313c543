import { describe, expect, it } from 'vitest';
import { allowlistEntries } from './allowlist-text.ts';

describe('allowlistEntries', () => {
  it('reads one entry per line or comma, without blanks, comments and duplicates', () => {
    expect(allowlistEntries(' 203.0.113.0/24 \n\n# office\n2001:db8::/32, 10.0.0.1 # vpn\n203.0.113.0/24')).toEqual([
      '203.0.113.0/24',
      '2001:db8::/32',
      '10.0.0.1',
    ]);
    expect(allowlistEntries('  \n# nothing\n')).toEqual([]);
  });
});
