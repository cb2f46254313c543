import { describe, expect, it } from 'vitest';
import { iconView } from './node-icon.ts';

describe('iconView', () => {
  it('turns an SVG document into a data URL for an <img>, never markup', () => {
    const view = iconView(
      '<svg xmlns="http://www.w3.org/2000/svg" stroke="currentColor"><script>alert(1)</script></svg>',
      'X',
    );
    expect(view.kind).toBe('image');
    const src = view.kind === 'image' ? view.src : '';
    expect(src.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(src).not.toContain('<');
    expect(decodeURIComponent(src)).toContain('stroke="#3f3f46"');
  });

  it('shows emoji or short text as text, and the initial otherwise', () => {
    expect(iconView('🐙', 'GitHub')).toEqual({ kind: 'text', text: '🐙' });
    expect(iconView(undefined, 'stripe')).toEqual({ kind: 'text', text: 'S' });
    expect(iconView('<div>', 'Html')).toEqual({ kind: 'text', text: 'H' });
  });
});
