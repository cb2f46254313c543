import { defineNode, FatalError, z, type Json } from '@apiq/sdk';

type JsonObject = { [key: string]: Json };

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

function isPlainObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a dotted path (`customer.id`) from an item; undefined when any part is missing. */
function readPath(item: Json, path: string): Json | undefined {
  let current: Json | undefined = item;
  for (const segment of path.split('.')) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

function keyBy(items: Json[], keyField: string): JsonObject {
  const entries: Array<[string, Json]> = items.map((item, index) => {
    const key = readPath(item, keyField);
    if (typeof key !== 'string' && typeof key !== 'number') {
      const got =
        key === undefined
          ? 'it is missing'
          : `it is ${key === null ? 'null' : Array.isArray(key) ? 'a list' : typeof key === 'object' ? 'an object' : 'a boolean'}`;
      throw new FatalError(
        `Aggregate cannot key item ${index} by "${keyField}": ${got}. Every item needs a text or number at "${keyField}", or use mode "list".`,
      );
    }
    return [String(key), item];
  });
  // fromEntries defines properties, so a "__proto__" key stays a plain field; on duplicates the later item wins.
  return Object.fromEntries(entries);
}

/** Closes a for-each loop: receives the list of per-item results and shapes it. */
export const aggregate = defineNode({
  id: 'core.aggregate',
  title: 'Aggregate',
  description:
    'Closes a For each loop: collects the result of every item into one list, a flattened list, or an object keyed by a field (such as id), so the steps after the loop run once with all the results.',
  keywords: [
    'aggregate',
    'collect',
    'gather',
    'combine',
    'end loop',
    'join results',
    'reduce',
    'list',
    'array',
    'flatten',
    'group',
    'key by',
    'index by',
    'to object',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="m12 3 9 5-9 5-9-5z"/><path d="m3 13 9 5 9-5"/></svg>',
  params: z
    .strictObject({
      mode: z
        .enum(['list', 'flatten', 'object'], {
          error:
            'mode must be "list" (the results as a list), "flatten" (lists of results joined into one list) or "object" (keyed by keyField)',
        })
        .default('list'),
      keyField: z
        .string({ error: 'keyField must be text: the field whose value keys each item, e.g. "id"' })
        .min(1, 'keyField must not be empty')
        .max(200, 'keyField is too long (max 200 characters)')
        .optional()
        .describe(
          'For mode "object": the field (dots reach into nested objects) whose value keys each item, e.g. "id"',
        ),
    })
    .superRefine((params, ctx) => {
      if (params.mode === 'object' && params.keyField === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['keyField'],
          message: 'keyField is required when mode is "object": name the field that keys each item, e.g. "id"',
        });
      }
      const segments = params.keyField?.split('.') ?? [];
      if (segments.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s))) {
        ctx.addIssue({
          code: 'custom',
          path: ['keyField'],
          message: `keyField ${JSON.stringify(params.keyField)} is not a usable field path; use names separated by dots, e.g. "customer.id"`,
        });
      }
    }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, input }) => {
    if (!Array.isArray(input)) {
      throw new FatalError(
        `Aggregate expects the list of loop results, got ${input === null ? 'null' : typeof input}. Place it at the end of a For each loop.`,
      );
    }
    switch (params.mode) {
      case 'list':
        return { output: input };
      case 'flatten':
        return { output: input.flatMap((item) => (Array.isArray(item) ? item : [item])) };
      case 'object':
        if (params.keyField === undefined) throw new FatalError('Aggregate in mode "object" needs keyField, e.g. "id"');
        return { output: keyBy(input, params.keyField) };
    }
  },
});
