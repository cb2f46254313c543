import { z } from 'zod';
import * as jsonLogicModule from 'json-logic-js';

/**
 * Conditions are json-logic rules (https://jsonlogic.com) or plain booleans.
 *
 * json-logic-js keeps one operator table per process. On load this module replaces two
 * entries of it: `var` only descends into own properties and never into `__proto__`,
 * `constructor` or `prototype` (the stock one walks the prototype chain and hands out
 * host objects such as `Object` or `Function`), and `log` returns its argument without
 * printing user data to the host's console.
 */
type JsonLogic = typeof jsonLogicModule;
// The package is a UMD bundle: under Node's ESM loader only `default` is present.
const jsonLogic: JsonLogic = (jsonLogicModule as unknown as { default?: JsonLogic }).default ?? jsonLogicModule;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_RULE_DEPTH = 200;

/** Operators json-logic-js 2.x knows: the control forms it handles itself plus its operator table. */
const KNOWN_OPERATORS = new Set(
  [
    'if ?: and or filter map reduce all none some',
    '== === != !== > >= < <= !! ! % log in cat substr + * - / min max merge var missing missing_some',
  ]
    .join(' ')
    .split(' '),
);

function lookupOwn(root: unknown, path: unknown, fallback: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === null || path === '') return root;
  let data = root;
  for (const key of String(path).split('.')) {
    if (data === null || data === undefined) return notFound;
    if (FORBIDDEN_KEYS.has(key) || !Object.hasOwn(Object(data), key)) return notFound;
    data = (data as Record<string, unknown>)[key];
    if (data === undefined) return notFound;
  }
  return data;
}

// json-logic-js calls operations with the data as `this`.
function safeVar(this: unknown, path?: unknown, fallback?: unknown): unknown {
  return lookupOwn(this, path, fallback);
}

jsonLogic.add_operation('var', safeVar);
jsonLogic.add_operation('log', (value: unknown) => value);

/** A condition could not be checked or evaluated. */
export class ConditionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConditionError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describePath(path: string): string {
  return path === '' ? '' : ` at ${path}`;
}

function checkNode(node: unknown, path: string, depth: number): string | null {
  if (depth > MAX_RULE_DEPTH) return `condition nests deeper than ${MAX_RULE_DEPTH} levels${describePath(path)}`;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const problem = checkNode(node[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  // Objects with zero or several keys are literal data in json-logic, not operations.
  if (!isPlainObject(node)) return null;
  const keys = Object.keys(node);
  if (keys.length !== 1) return null;
  const op = keys[0] as string;
  if (!KNOWN_OPERATORS.has(op)) return `unknown operator ${JSON.stringify(op)}${describePath(path)}`;
  return checkNode(node[op], path === '' ? op : `${path}.${op}`, depth + 1);
}

/**
 * Checks that a condition can be evaluated: `true`, `false`, or a json-logic rule object
 * whose operators are all known. Returns null when valid, otherwise what is wrong.
 *
 * @example
 * checkCondition({ '>': [{ var: 'amount' }, 100] }); // null
 * checkCondition({ foo: [1] });                      // 'unknown operator "foo"'
 */
export function checkCondition(rule: unknown): string | null {
  if (typeof rule === 'boolean') return null;
  if (!isPlainObject(rule)) {
    return `a condition must be true, false or a json-logic rule object such as {"==": [{"var": "status"}, "ok"]} (got ${describeValue(rule)})`;
  }
  const keys = Object.keys(rule);
  if (keys.length !== 1) {
    return `a json-logic rule object has exactly one operator key (got ${keys.length === 0 ? 'none' : keys.map((k) => JSON.stringify(k)).join(', ')})`;
  }
  return checkNode(rule, '', 0);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

// Rules usually come from a step's literal params, which are the same object on every run.
const checkedRules = new WeakMap<object, string | null>();

/**
 * Evaluates a condition against data. A boolean is returned as is; a json-logic rule is
 * applied to `data` and its result turned into a boolean with JavaScript truthiness.
 * Throws `ConditionError` when the rule is invalid or fails.
 *
 * @example
 * evaluateCondition({ '>': [{ var: 'order.total' }, 100] }, { order: { total: 250 } }); // true
 * evaluateCondition({ var: 'constructor' }, {});                                      // false
 */
export function evaluateCondition(rule: unknown, data: Record<string, unknown>): boolean {
  if (typeof rule === 'boolean') return rule;
  let problem: string | null | undefined =
    typeof rule === 'object' && rule !== null ? checkedRules.get(rule) : undefined;
  if (problem === undefined) {
    problem = checkCondition(rule);
    if (typeof rule === 'object' && rule !== null) checkedRules.set(rule, problem);
  }
  if (problem !== null) throw new ConditionError(`invalid condition: ${problem}`);
  let result: unknown;
  try {
    result = jsonLogic.apply(rule as Parameters<JsonLogic['apply']>[0], data);
  } catch (err) {
    throw new ConditionError(`condition failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return Boolean(result);
}

/**
 * The parameter schema of a condition: `true`, `false` or a json-logic rule over
 * `{ input, trigger }`; an unknown operator is refused with the reason.
 */
export const conditionSchema = z
  .union([z.boolean(), z.record(z.string(), z.json())], {
    error:
      'condition must be true, false or a json-logic rule object such as {"==": [{"var": "input.status"}, "paid"]}',
  })
  .superRefine((rule, ctx) => {
    const problem = checkCondition(rule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('json-logic rule over { input, trigger }, e.g. {">": [{"var": "input.total"}, 100]}');
