import { describe, expect, it } from 'vitest';
import { parseJson } from './parse-json.ts';
import { fileSlug } from './download-file.ts';

describe('parseJson', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJson('{"a":[1,2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it('says what breaks invalid JSON and where, by line and column', () => {
    const r = parseJson('{\n  "name": "x",\n  "nodes": [}\n}');
    expect(r).toEqual({
      ok: false,
      message: 'Not valid JSON: unexpected "}" at line 3, column 13.',
      line: 3,
      column: 13,
    });
  });

  it('names the usual mistakes: trailing commas, unquoted names, text cut short', () => {
    expect(parseJson('{"a": 1,}')).toMatchObject({ ok: false, column: 9 });
    expect(parseJson('{name: "x"}')).toMatchObject({
      message: 'Not valid JSON: unexpected "n" where a "quoted" property name should be at line 1, column 2.',
    });
    expect(parseJson('{"a": [1, 2')).toMatchObject({ message: expect.stringContaining('the text ends too early') });
  });

  it('explains empty input instead of a parser message', () => {
    expect(parseJson('  \n')).toEqual({ ok: false, message: 'It is empty: paste or choose a workflow JSON.' });
  });
});

describe('fileSlug', () => {
  it('makes a safe file name from any workflow name', () => {
    expect(fileSlug('Orders → Slack!')).toBe('orders-slack');
    expect(fileSlug('***')).toBe('workflow');
  });
});
