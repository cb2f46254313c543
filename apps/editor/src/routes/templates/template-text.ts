// Turns a template's setup notes (a small Markdown subset) into plain data the page renders with
// ordinary elements, so template text is never inserted as HTML.

/** A run of text: plain, `code`, **strong** or a link. */
export type Inline = { kind: 'text' | 'code' | 'strong'; text: string } | { kind: 'link'; text: string; href: string };

export interface ListItem {
  text: Inline[];
  children: Inline[][];
}

export type Block = { kind: 'p'; text: Inline[] } | { kind: 'ol' | 'ul'; items: ListItem[] };

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|https?:\/\/[^\s)<>]+[^\s)<>.,;:])/g;

/**
 * Inline pieces of one line.
 *
 * @example
 * inline('Use `POST` at https://x.test'); // [text 'Use ', code 'POST', text ' at ', link 'https://x.test']
 */
export function inline(line: string): Inline[] {
  const out: Inline[] = [];
  for (const part of line.split(INLINE)) {
    if (!part) continue;
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1)
      out.push({ kind: 'code', text: part.slice(1, -1) });
    else if (part.startsWith('**') && part.endsWith('**') && part.length > 3)
      out.push({ kind: 'strong', text: part.slice(2, -2) });
    else if (/^https?:\/\//.test(part)) out.push({ kind: 'link', text: part, href: part });
    else out.push({ kind: 'text', text: part.replace(/\*([^*]+)\*/g, '$1') });
  }
  return out;
}

/**
 * Paragraphs, numbered lists (`1. `) and bullet lists (`- `), with indented `- ` lines as a
 * sub-list of the item above.
 */
export function parseNotes(markdown: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'p', text: inline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (const raw of markdown.split('\n')) {
    const line = raw.trimEnd();
    const numbered = /^\d+\.\s+(.*)$/.exec(line);
    const bullet = /^-\s+(.*)$/.exec(line);
    const nested = /^\s{2,}-\s+(.*)$/.exec(line);
    const last = blocks.at(-1);
    if (nested && paragraph.length === 0 && last && last.kind !== 'p') {
      last.items.at(-1)?.children.push(inline(nested[1]!));
    } else if (numbered || bullet) {
      flush();
      const kind = numbered ? 'ol' : 'ul';
      const item = { text: inline((numbered ?? bullet)![1]!), children: [] };
      if (last && last.kind === kind) last.items.push(item);
      else blocks.push({ kind, items: [item] });
    } else if (!line.trim()) flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

/** The preview SVG as an image URL (rendered by <img>, where scripts never run). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
