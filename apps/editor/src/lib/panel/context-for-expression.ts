import type { PreviewContext } from './types.ts';

/**
 * The part of the sample data an expression can read: `$trigger` only when it is mentioned,
 * `$steps.<id>` only for the steps it names, `$item`/`$index` when used, and the input when the
 * expression says `$input` or uses a bare field name (the input is the expression's context).
 * Keeps preview requests small when runs carry large outputs.
 *
 * @example contextForExpression('$steps.fetch.body', { steps: { fetch: 1, other: 2 }, input: 3 })
 * // { steps: { fetch: 1 } }
 */
export function contextForExpression(src: string, context: PreviewContext): PreviewContext {
  const code = src.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const out: PreviewContext = { steps: {} };
  if (/\$trigger\b/.test(code) && context.trigger !== undefined) out.trigger = context.trigger;
  if (/\$item\b/.test(code) && context.item !== undefined) out.item = context.item;
  if (/\$index\b/.test(code) && context.index !== undefined) out.index = context.index;
  const bare = code.replace(/`[^`]*`/g, '``').replace(/\b(and|or|in|true|false|null|function)\b/g, '');
  const usesInput = /\$input\b/.test(code) || /(^|[^.$\w`])[A-Za-z_]\w*(?!\s*\()/.test(bare);
  if (usesInput && context.input !== undefined) out.input = context.input;
  if (/\$steps\b/.test(code)) {
    const named = [...code.matchAll(/\$steps\s*\.\s*(?:`([^`]+)`|([A-Za-z_][\w-]*))/g)].map((m) => m[1] ?? m[2]!);
    // `$steps` alone (or `$steps[...]`) may read any step.
    const whole = /\$steps\b(?!\s*\.)/.test(code);
    for (const [id, value] of Object.entries(context.steps)) if (whole || named.includes(id)) out.steps[id] = value;
  }
  return out;
}
