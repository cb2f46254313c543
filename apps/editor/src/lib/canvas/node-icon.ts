export type IconView = { kind: 'image'; src: string } | { kind: 'text'; text: string };

const ICON_COLOR = '#3f3f46';

/**
 * How to show a node type's icon. An SVG document becomes a `data:` URL for an `<img>` (an image
 * cannot run scripts, so the markup is never put into the page); an emoji or short text is shown
 * as text; without an icon, the title's first letter.
 *
 * @example
 * iconView('<svg …/>', 'Code'); // { kind: 'image', src: 'data:image/svg+xml;charset=utf-8,…' }
 */
export function iconView(icon: string | undefined, title: string): IconView {
  const trimmed = icon?.trim() ?? '';
  if (/^(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(trimmed)) {
    // In an <img>, currentColor would be black: give line icons the UI's icon colour instead.
    const svg = trimmed.replace(/currentColor/g, ICON_COLOR);
    return { kind: 'image', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` };
  }
  if (trimmed !== '' && !trimmed.startsWith('<')) return { kind: 'text', text: [...trimmed].slice(0, 3).join('') };
  return { kind: 'text', text: (title.trim()[0] ?? '?').toUpperCase() };
}
