import type { OperationArgs } from './types.ts';

export type ArgPlace = 'path' | 'query' | 'headers' | 'body';

/** Arguments with nothing filled in. */
export function emptyArgs(): OperationArgs {
  return { path: {}, query: {}, headers: {} };
}

/**
 * The arguments to send: values left empty are dropped (an empty text field means "not given").
 *
 * @example
 * argsToSend({ path: { petId: 10 }, query: { status: '' }, headers: {} }); // → { path: { petId: 10 }, query: {}, headers: {} }
 */
export function argsToSend(args: OperationArgs): OperationArgs {
  const clean = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return {
    path: clean(args.path),
    query: clean(args.query),
    headers: clean(args.headers),
    ...(args.body === undefined || args.body === '' ? {} : { body: args.body }),
  };
}

/**
 * Server issues of a test request (`input.args.path.petId`) for one part of the form, with the
 * param path inside that part (`petId`), as the param form shows them.
 *
 * @example
 * issuesFor([{ path: 'input.args.body.name', message: 'Required' }], 'body'); // → [{ path: …, message: 'Required', code: 'server', param: 'name' }]
 */
export function issuesFor(
  issues: { path: string; message: string }[],
  place: ArgPlace,
): { path: string; message: string; code: string; param: string }[] {
  const prefix = `input.args.${place}`;
  return issues.flatMap((issue) => {
    if (issue.path !== prefix && !issue.path.startsWith(`${prefix}.`)) return [];
    return [{ path: issue.path, message: issue.message, code: 'server', param: issue.path.slice(prefix.length + 1) }];
  });
}

/**
 * The colour family of an HTTP status: 2xx success, 3xx info, 4xx warning, 5xx danger.
 *
 * @example statusTone(404) // 'warning'
 */
export function statusTone(status: number): 'success' | 'info' | 'warning' | 'danger' {
  if (status >= 500 || status === 0) return 'danger';
  if (status >= 400) return 'warning';
  if (status >= 300) return 'info';
  return 'success';
}

/**
 * An argument group's schema with each property titled by its exact name (`petId`, `X-Request-Id`):
 * in an API explorer the parameter's own name is the label people look for.
 *
 * @example titledByName({ type: 'object', properties: { petId: { type: 'integer' } } }).properties.petId.title // 'petId'
 */
export function titledByName<S extends { properties?: Record<string, Record<string, unknown>> }>(schema: S): S {
  if (!schema.properties) return schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, prop]) => [name, prop.title ? prop : { ...prop, title: name }]),
  );
  return { ...schema, properties };
}
