import { fieldPaths, pathSegment } from './json-paths.ts';

/** The part of the expression the completion replaces: `src.slice(start, end)`. */
export interface Token {
  start: number;
  end: number;
  text: string;
}

export interface Completion {
  /** What the list shows. */
  label: string;
  /** The text that replaces the token. */
  insert: string;
  /** Type, sample value or explanation, shown dimmed. */
  detail: string;
}

/** What completion knows about: the upstream steps and whatever sample data there is. */
export interface CompletionSources {
  /** Upstream node ids (nearest first) with their display names. */
  upstream: { id: string; name?: string }[];
  trigger?: unknown;
  input?: unknown;
  item?: unknown;
  /** Sample outputs of steps, by node id (last run or pinned data). */
  steps: Record<string, unknown>;
}

export const ROOT_VARIABLES: readonly Completion[] = [
  { label: '$trigger', insert: '$trigger', detail: "the trigger's output for this run" },
  { label: '$input', insert: '$input', detail: "this step's input" },
  { label: '$steps', insert: '$steps', detail: 'outputs of upstream steps by id' },
  { label: '$item', insert: '$item', detail: 'inside For each: the current item' },
  { label: '$index', insert: '$index', detail: 'inside For each: the item position' },
  { label: '$run', insert: '$run', detail: 'run id, workflow id, resume URL' },
];

const RUN_FIELDS: readonly Completion[] = [
  { label: 'id', insert: '$run.id', detail: 'string' },
  { label: 'workflowId', insert: '$run.workflowId', detail: 'string' },
  { label: 'resumeUrl', insert: '$run.resumeUrl', detail: 'string (Wait node, webhook mode)' },
];

const TOKEN_CHAR = /[A-Za-z0-9_$.[\]]/;
const MAX_ITEMS = 50;

/**
 * The variable path the cursor is in or just after, e.g. `$steps.fetch.bo` in `$steps.fetch.bo + 1`.
 * Backtick-quoted segments (`` $steps.`my-step` ``) belong to the token.
 *
 * @example tokenAtCursor('1 + $trig', 9) // { start: 4, end: 9, text: '$trig' }
 */
export function tokenAtCursor(src: string, cursor: number): Token {
  let start = cursor;
  while (start > 0) {
    const ch = src[start - 1]!;
    if (ch === '`') {
      const open = src.lastIndexOf('`', start - 2);
      if (open < 0 || src.slice(open, start).includes('\n')) break;
      start = open;
      continue;
    }
    if (!TOKEN_CHAR.test(ch)) break;
    start--;
  }
  return { start, end: cursor, text: src.slice(start, cursor) };
}

/**
 * Completions for a token: root variables after `$`, upstream step ids after `$steps.`, and
 * field paths from sample data after `$trigger.`, `$input.`, `$item.` or `$steps.<id>.`.
 *
 * @example completionsFor('$steps.', { upstream: [{ id: 'fetch' }], steps: {} })[0].insert // '$steps.fetch'
 */
export function completionsFor(token: string, sources: CompletionSources): Completion[] {
  if (!token.startsWith('$')) return [];
  const dot = token.indexOf('.');
  if (dot < 0) {
    const prefix = token.toLowerCase();
    return ROOT_VARIABLES.filter((v) => v.label.toLowerCase().startsWith(prefix) && v.label !== token);
  }
  const root = token.slice(0, dot);
  const rest = token.slice(dot + 1);
  switch (root) {
    case '$trigger':
      return pathCompletions(root, rest, sources.trigger);
    case '$input':
      return pathCompletions(root, rest, sources.input);
    case '$item':
      return pathCompletions(root, rest, sources.item);
    case '$run':
      return RUN_FIELDS.filter((f) => f.label.toLowerCase().startsWith(rest.toLowerCase()));
    case '$steps':
      return stepCompletions(rest, sources);
    default:
      return [];
  }
}

/**
 * The expression with a completion applied to the token, and where the cursor goes.
 *
 * @example applyCompletion('x + $tr', { start: 4, end: 7, text: '$tr' }, '$trigger') // { src: 'x + $trigger', cursor: 12 }
 */
export function applyCompletion(src: string, token: Token, insert: string): { src: string; cursor: number } {
  return { src: src.slice(0, token.start) + insert + src.slice(token.end), cursor: token.start + insert.length };
}

function stepCompletions(rest: string, sources: CompletionSources): Completion[] {
  const { id, remainder } = splitStepId(rest);
  if (remainder === undefined) {
    const prefix = id.toLowerCase();
    return sources.upstream
      .filter((u) => u.id.toLowerCase().startsWith(prefix) && u.id !== id)
      .map((u) => ({
        label: u.id,
        insert: `$steps.${pathSegment(u.id)}`,
        detail: u.name && u.name !== u.id ? u.name : 'step output',
      }));
  }
  if (!sources.upstream.some((u) => u.id === id)) return [];
  return pathCompletions(`$steps.${pathSegment(id)}`, remainder, sources.steps[id]);
}

/** `fetch.body.x` → id `fetch`, remainder `body.x`; `` `my-step`.a `` → id `my-step`. */
function splitStepId(rest: string): { id: string; remainder?: string } {
  if (rest.startsWith('`')) {
    const close = rest.indexOf('`', 1);
    if (close < 0) return { id: rest.slice(1) };
    const after = rest.slice(close + 1);
    return after.startsWith('.')
      ? { id: rest.slice(1, close), remainder: after.slice(1) }
      : { id: rest.slice(1, close) };
  }
  const dot = rest.indexOf('.');
  return dot < 0 ? { id: rest } : { id: rest.slice(0, dot), remainder: rest.slice(dot + 1) };
}

function pathCompletions(prefix: string, partial: string, data: unknown): Completion[] {
  if (data === undefined) return [];
  const wanted = partial.toLowerCase();
  const out: Completion[] = [];
  for (const field of fieldPaths(data)) {
    if (!field.path.toLowerCase().startsWith(wanted) || field.path === partial) continue;
    const insert = field.path.startsWith('[') ? `${prefix}${field.path}` : `${prefix}.${field.path}`;
    out.push({ label: field.path, insert, detail: `${field.type} ${field.sample}` });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}
