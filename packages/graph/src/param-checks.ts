import { checkCondition } from '@apiq/sdk';
import type { NodeDefinition } from '@apiq/sdk';
import { ExprSchema, isExpr } from './schema.ts';
import type { GraphNode } from './schema.ts';
import { checkExpression } from './expressions.ts';
import { hasExpressions } from './resolve-params.ts';
import { formatPath } from './issues.ts';
import type { ValidationIssue } from './issues.ts';

/** Where a node sits in the graph, for locating issues. */
export interface NodeRef {
  index: number;
  id: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function paramIssue(ref: NodeRef, code: string, segments: readonly PropertyKey[], text: string): ValidationIssue {
  const param = formatPath(segments);
  const where = param === '' ? 'params' : `param "${param}"`;
  return {
    code,
    message: `node ${JSON.stringify(ref.id)}: ${where}: ${text}`,
    path: `nodes[${ref.index}].params${param === '' ? '' : param.startsWith('[') ? param : `.${param}`}`,
    nodeId: ref.id,
    ...(param === '' ? {} : { param }),
  };
}

/** Every `{ kind: 'expr' }` object inside params must be well formed and must parse. */
export function checkParamExpressions(params: Record<string, unknown>, ref: NodeRef): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: Array<{ value: unknown; segments: PropertyKey[] }> = [{ value: params, segments: [] }];
  while (stack.length > 0) {
    const { value, segments } = stack.pop() as { value: unknown; segments: PropertyKey[] };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], segments: [...segments, i] });
      continue;
    }
    if (!isPlainObject(value)) continue;
    if (value.kind === 'expr') {
      const shape = ExprSchema.safeParse(value);
      if (!shape.success) {
        const problems = shape.error.issues
          .map((i) => (i.path.length ? `${formatPath(i.path)}: ${i.message}` : i.message))
          .join('; ');
        issues.push(
          paramIssue(
            ref,
            'invalid_expression',
            segments,
            `an expression must look like { "kind": "expr", "src": "<JSONata>" } (${problems})`,
          ),
        );
        continue;
      }
      const check = checkExpression(shape.data.src);
      if (!check.ok) {
        issues.push(
          paramIssue(
            ref,
            'invalid_expression',
            segments,
            `expression does not parse: ${check.message} (at position ${check.position})`,
          ),
        );
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k] as string;
      stack.push({ value: value[key], segments: [...segments, key] });
    }
  }
  return issues;
}

/** Whether a schema issue at `path` concerns a value an expression will only provide at run time. */
function coveredByExpression(params: Record<string, unknown>, path: readonly PropertyKey[], code: string): boolean {
  let value: unknown = params;
  for (const segment of path) {
    if (isExpr(value)) return true;
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return false;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  if (isExpr(value)) return true;
  // A union cannot pick its branch when a discriminating field is still an expression.
  return code === 'invalid_union' && hasExpressions(value);
}

/** Params against the node definition's schema, ignoring what expressions will fill in at run time. */
export function checkParamsSchema(
  params: Record<string, unknown>,
  def: NodeDefinition,
  ref: NodeRef,
): ValidationIssue[] {
  let result: ReturnType<NodeDefinition['params']['safeParse']>;
  try {
    result = def.params.safeParse(params);
  } catch (err) {
    return [
      paramIssue(
        ref,
        'invalid_param',
        [],
        `the params could not be checked: ${err instanceof Error ? err.message : String(err)}`,
      ),
    ];
  }
  if (result.success) return [];
  const issues: ValidationIssue[] = [];
  for (const issue of result.error.issues) {
    if (coveredByExpression(params, issue.path, issue.code)) continue;
    issues.push(paramIssue(ref, 'invalid_param', issue.path, issue.message));
  }
  return issues;
}

/**
 * Literal json-logic conditions: `condition` on core.if; each entry of `cases` on core.switch
 * (an entry is a condition, or an object whose `condition` key holds one).
 */
export function checkParamConditions(node: GraphNode, ref: NodeRef): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const check = (rule: unknown, segments: PropertyKey[]): void => {
    if (isExpr(rule)) return;
    const problem = checkCondition(rule);
    if (problem !== null) issues.push(paramIssue(ref, 'invalid_condition', segments, `invalid condition: ${problem}`));
  };
  const { params } = node;
  if (node.type === 'core.if' && Object.hasOwn(params, 'condition')) check(params.condition, ['condition']);
  if (node.type === 'core.switch' && Array.isArray(params.cases)) {
    params.cases.forEach((rule: unknown, i: number) => {
      if (isPlainObject(rule) && !isExpr(rule) && Object.hasOwn(rule, 'condition'))
        check(rule.condition, ['cases', i, 'condition']);
      else check(rule, ['cases', i]);
    });
  }
  return issues;
}
