import { parse as parseYaml, parseDocument, YAMLParseError } from 'yaml';
import { SpecError } from './spec-error.ts';

/**
 * Parses a spec's text, JSON or YAML. A syntax error names the line and column.
 *
 * @example
 * readDocument('openapi: 3.0.3\ninfo: { title: Pets, version: "1" }\npaths: {}'); // → { openapi: '3.0.3', ... }
 * readDocument('{"openapi": }', 'pets.json'); // throws SpecError 'pets.json line 1, column 13: ...'
 */
export function readDocument(text: string, name = 'the spec'): Record<string, unknown> {
  const trimmed = text.trimStart();
  if (trimmed === '') throw new SpecError(name, 'is empty; paste or point to an OpenAPI or Swagger document');
  let value: unknown;
  if (trimmed.startsWith('{')) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new SpecError(
        `${name}${jsonErrorPlace(text, err as Error)}`,
        `is not valid JSON: ${(err as Error).message}`,
      );
    }
  } else {
    try {
      // Large specs have thousands of anchors/aliases (e.g. shared schemas); lift the alias cap.
      value = parseYaml(text, { maxAliasCount: -1, uniqueKeys: false });
    } catch (err) {
      if (err instanceof YAMLParseError) {
        const pos = err.linePos?.[0];
        const place = pos ? ` line ${pos.line}, column ${pos.col}` : '';
        const reason = err.message.split('\n')[0] ?? err.message;
        throw new SpecError(`${name}${place}`, `is not valid YAML or JSON: ${reason}`);
      }
      throw err;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError(name, 'is not an OpenAPI or Swagger document (expected an object with "openapi" or "swagger")');
  }
  return value as Record<string, unknown>;
}

/**
 * Where JSON.parse failed, as " line L, column C". V8 reports a position for most errors; for
 * the others ("Unexpected token '}', ..."ctx" is not valid JSON") the quoted context is found in
 * the text, and failing that the YAML parser (JSON is YAML) is asked where it stops.
 */
function jsonErrorPlace(text: string, err: Error): string {
  const place = (position: number) => {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    return ` line ${line}, column ${position - before.lastIndexOf('\n')}`;
  };
  const position = /position (\d+)/.exec(err.message);
  if (position) return place(Number(position[1]));
  const context = /^Unexpected token '(.)', (?:\.\.\.)?"(.*?)"(?:\.\.\.)? is not valid JSON$/s.exec(err.message);
  if (context) {
    const [, token, snippet] = context as unknown as [string, string, string];
    const at = text.indexOf(snippet.replace(/^\.\.\./, '').replace(/\.\.\.$/, ''));
    if (at >= 0) return place(at + snippet.replace(/^\.\.\./, '').lastIndexOf(token));
  }
  const yamlError = parseDocument(text).errors[0]?.linePos?.[0];
  return yamlError ? ` line ${yamlError.line}, column ${yamlError.col}` : '';
}
