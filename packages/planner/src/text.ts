const STOP = new Set(
  'a an the to of in on for with and or then when whenever is are be been it its this that these those my me i we our us you your from by at as into via new each every all any some there their them they please also just'.split(
    ' ',
  ),
);

/** Lower-case word tokens (letters, digits), without stop words, lightly stemmed. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOP.has(t)).map(stem);
}

/** A tiny suffix stemmer: enough to match "issues"/"issue", "created"/"create", "posting"/"post". */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  for (const [suffix, replacement] of [
    ['ies', 'y'],
    ['sses', 'ss'],
    ['ing', ''],
    ['ed', ''],
    ['es', ''],
    ['s', ''],
  ] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, word.length - suffix.length) + replacement;
      return base.endsWith('e') && base.length > 4 ? base.slice(0, -1) : base;
    }
  }
  return word.endsWith('e') && word.length > 4 ? word.slice(0, -1) : word;
}

/** `Create a Trello card` → `create_trello_card` (node ids for proposals). */
export function slug(text: string, max = 40): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, max)
    .replace(/_+$/g, '');
  return /^[a-z]/.test(s) ? s : `n_${s || 'step'}`;
}
