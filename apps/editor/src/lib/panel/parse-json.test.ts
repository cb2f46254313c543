import { describe, expect, it } from 'vitest';
import { parseJsonText } from './parse-json.ts';

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a": [1, true, null]}')).toEqual({ ok: true, value: { a: [1, true, null] } });
  });

  it('says what is wrong and where', () => {
    expect(parseJsonText('{\n  "a": 1,\n  "b": }')).toEqual({
      ok: false,
      message: 'expected a value, found "}"',
      line: 3,
      column: 8,
    });
    expect(parseJsonText('[1, 2,]')).toMatchObject({ message: 'remove the trailing comma', column: 7 });
    expect(parseJsonText("{'a': 1}")).toMatchObject({ message: 'expected a "quoted" key, found "\'"', column: 2 });
    expect(parseJsonText('{"a": "x}')).toMatchObject({ message: 'unterminated string: add the closing "' });
    expect(parseJsonText('{"a": 1} x')).toMatchObject({ message: 'unexpected "x" after the value', column: 10 });
  });

  it('says what to type when empty', () => {
    expect(parseJsonText('  ')).toMatchObject({ ok: false, message: 'empty: type a JSON value, e.g. {} or []' });
  });
});
