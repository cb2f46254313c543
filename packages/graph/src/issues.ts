/** One problem found in a workflow graph, located by a path such as `nodes[2].params.url`. */
export interface ValidationIssue {
  code: ValidationIssueCode | (string & {});
  message: string;
  path: string;
  nodeId?: string;
  edgeId?: string;
  /** The param path inside the node's params, e.g. `body.total`. */
  param?: string;
}

export type ValidationIssueCode =
  | 'invalid_shape'
  | 'duplicate_node_id'
  | 'unknown_node_type'
  | 'unknown_node_version'
  | 'invalid_param'
  | 'invalid_expression'
  | 'invalid_condition'
  | 'unknown_edge_source'
  | 'unknown_edge_target'
  | 'unknown_source_port'
  | 'unknown_target_port'
  | 'edge_into_trigger'
  | 'self_loop'
  | 'duplicate_edge'
  | 'duplicate_edge_id'
  | 'missing_trigger'
  | 'multiple_triggers'
  | 'cycle'
  | 'unreachable_node'
  | 'for_each_item_unwired'
  | 'for_each_not_closed'
  | 'for_each_closed_twice'
  | 'aggregate_without_for_each'
  | 'loop_body_entered_from_outside'
  | 'invalid_compensate';

/** Thrown by `compileWorkflow` when the graph does not validate; carries every issue. */
export class GraphValidationError extends Error {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], workflowName?: string) {
    const shown = issues.slice(0, 5).map((i) => `- ${i.path}: ${i.message}`);
    if (issues.length > shown.length) shown.push(`- ... and ${issues.length - shown.length} more`);
    const subject = workflowName ? `workflow ${JSON.stringify(workflowName)}` : 'workflow';
    super(`${subject} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${shown.join('\n')}`);
    this.name = 'GraphValidationError';
    this.issues = issues;
  }
}

/** `nodes[2].params.url` from `['nodes', 2, 'params', 'url']`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
