export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string; line: number; column: number };

/**
 * Parses JSON typed by a person and, when it fails, says what is wrong and where (1-based line
 * and column), the same way in every browser.
 *
 * @example parseJsonText('{"a": }') // { ok: false, message: 'expected a value, found "}"', line: 1, column: 7 }
 */
export function parseJsonText(text: string): ParsedJson {
  if (text.trim() === '') return { ok: false, message: 'empty: type a JSON value, e.g. {} or []', line: 1, column: 1 };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const { offset, message } = findSyntaxError(text);
    const before = text.slice(0, offset).split('\n');
    return { ok: false, message, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  }
}

/** A small recursive-descent JSON checker that reports the first error's offset. */
function findSyntaxError(text: string): { offset: number; message: string } {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const found = () => (i >= text.length ? 'the end of the text' : JSON.stringify(text[i]));
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`expected a value, found ${found()}`);
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') fail('strings cannot span lines; use \\n');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('\\u needs four hex digits');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail(`unknown escape \\${text[i] ?? ''}`);
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string: add the closing "');
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail(`expected a value, found ${found()}`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') return object();
    if (ch === '[') return array();
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === "'") fail('use double quotes " for strings');
    if (ch !== undefined && /[-0-9]/.test(ch)) return number();
    fail(`expected a value, found ${found()}`);
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === '}') return void i++;
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`expected a "quoted" key, found ${found()}`);
      string();
      ws();
      if (text[i] !== ':') fail(`expected ":" after the key, found ${found()}`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === '}') fail('remove the trailing comma');
        continue;
      }
      if (text[i] === '}') return void i++;
      fail(`expected "," or "}", found ${found()}`);
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === ']') return void i++;
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === ']') fail('remove the trailing comma');
        continue;
      }
      if (text[i] === ']') return void i++;
      fail(`expected "," or "]", found ${found()}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${found()} after the value`);
    return { offset: text.length, message: 'not valid JSON' };
  } catch (error) {
    return error as { offset: number; message: string };
  }
}
