import { describe, expect, it } from 'vitest';
import { linkify } from './linkify.ts';

describe('linkify', () => {
  it('marks http(s) links, leaving trailing punctuation and other schemes as text', () => {
    expect(linkify('Open https://apiq.test/verify-email?token=a.b. Or javascript:alert(1)')).toEqual([
      { text: 'Open ' },
      { text: 'https://apiq.test/verify-email?token=a.b', href: 'https://apiq.test/verify-email?token=a.b' },
      { text: '. Or javascript:alert(1)' },
    ]);
    expect(linkify('no links')).toEqual([{ text: 'no links' }]);
  });
});
