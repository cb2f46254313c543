/** A path into a spec document: `['paths', '/pets', 'get', 'parameters', 0]`. */
export type SpecPath = ReadonlyArray<string | number>;

/**
 * A spec that cannot be imported. `where` names the place (`paths./pets.get.parameters[0]`,
 * `line 12, column 3`, a `$ref`), `message` what is wrong and what to do.
 */
export class SpecError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(where ? `${where}: ${problem}` : problem, options);
    this.name = 'SpecError';
  }
}

/**
 * Formats a document path the way error messages name places.
 *
 * @example
 * formatWhere(['paths', '/pets', 'get', 'parameters', 0]); // → 'paths./pets.get.parameters[0]'
 */
export function formatWhere(path: SpecPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
