export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/**
 * Parses JSON and, when it is not valid, says what and where: "Not valid JSON: unexpected "}" at
 * line 4, column 12." (browsers' own messages often give no position, so a small scanner finds it).
 *
 * @example
 * const r = parseJson(text);
 * if (!r.ok) showError(r.message);
 */
export function parseJson(text: string): ParsedJson {
  if (!text.trim()) return { ok: false, message: 'It is empty: paste or choose a workflow JSON.' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const problem = findProblem(text);
    if (!problem) return { ok: false, message: 'Not valid JSON.' };
    const before = text.slice(0, problem.offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1]!.length + 1;
    return { ok: false, message: `Not valid JSON: ${problem.reason} at line ${line}, column ${column}.`, line, column };
  }
}

/** The first place where `text` stops being JSON, with what was wrong there. */
function findProblem(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const found = () => (i >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[i])}`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(found());
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('a line break or control character inside a string');
      i++;
    }
    if (i >= text.length) fail('a string is not closed');
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(found());
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`${found()} where a "quoted" property name should be`);
        string();
        ws();
        if (text[i] !== ':') fail(`${found()} where ":" should be`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return void i++;
        fail(`${found()} where "," or "}" should be`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return void i++;
        fail(`${found()} where "," or "]" should be`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail(found());
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`${found()} after the end of the JSON value`);
    return undefined;
  } catch (problem) {
    return problem as { offset: number; reason: string };
  }
}
