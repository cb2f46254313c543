import { describe, expect, it } from 'vitest';
import { inline, parseNotes, svgDataUrl } from './template-text.ts';

describe('setup notes', () => {
  it('splits code, strong text and links out of a line', () => {
    expect(inline('Use **Bearer** with `POST /v2` at https://api.test/docs.')).toEqual([
      { kind: 'text', text: 'Use ' },
      { kind: 'strong', text: 'Bearer' },
      { kind: 'text', text: ' with ' },
      { kind: 'code', text: 'POST /v2' },
      { kind: 'text', text: ' at ' },
      { kind: 'link', text: 'https://api.test/docs', href: 'https://api.test/docs' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('reads paragraphs, numbered lists with nested bullets, and bullet lists', () => {
    const blocks = parseNotes('Intro\nline two\n\n1. First\n   - sub a\n2. Second\n\n- bullet');
    expect(blocks.map((b) => b.kind)).toEqual(['p', 'ol', 'ul']);
    expect(blocks[0]).toEqual({ kind: 'p', text: [{ kind: 'text', text: 'Intro line two' }] });
    expect(blocks[1]).toMatchObject({
      items: [
        { text: [{ text: 'First' }], children: [[{ text: 'sub a' }]] },
        { text: [{ text: 'Second' }], children: [] },
      ],
    });
  });

  it('never passes markup through: an SVG becomes an encoded data URL', () => {
    expect(svgDataUrl('<svg><script>x</script></svg>')).toBe(
      'data:image/svg+xml;charset=utf-8,%3Csvg%3E%3Cscript%3Ex%3C%2Fscript%3E%3C%2Fsvg%3E',
    );
  });
});
