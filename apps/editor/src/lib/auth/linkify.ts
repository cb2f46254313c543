export type TextPart = { text: string; href?: string };

/**
 * Splits plain text into parts, marking http(s) links so an email body can show them clickable
 * (other schemes stay text).
 *
 * @example
 * linkify('Open https://apiq.test/verify-email?token=a.b now')
 * // [{ text: 'Open ' }, { text: 'https://apiq.test/verify-email?token=a.b', href: '…' }, { text: ' now' }]
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const re = /https?:\/\/[^\s<>"']+/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    // A sentence's final period or bracket is not part of the link.
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: url, href: url });
    last = m.index + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
