export {
  ExprSchema,
  isExpr,
  NODE_ID,
  RetryPolicySchema,
  StepPolicySchema,
  GraphNodeSchema,
  GraphEdgeSchema,
  WorkflowSettingsSchema,
  StickyNoteSchema,
  WorkflowGraphSchema,
} from './schema.ts';
export type { Expr, StepPolicy, GraphNode, GraphEdge, WorkflowGraph, WorkflowGraphInput } from './schema.ts';
export type { WorkflowIR, IRSettings, IRInput, ResolvedPolicy, IRStep, IRLoop } from './ir.ts';
export { WORKFLOW_JSON_SCHEMA } from './json-schema.ts';

export {
  compileExpression,
  checkExpression,
  evaluateExpression,
  clearExpressionCache,
  ExpressionError,
  DEFAULT_EXPRESSION_LIMITS,
} from './expressions.ts';
export type {
  ExpressionBindings,
  ExpressionLimits,
  ExpressionErrorCode,
  CompiledExpression,
  ExpressionCheck,
} from './expressions.ts';
export { resolveParams, hasExpressions, joinParamPath } from './resolve-params.ts';
export type { ResolveParamsOptions } from './resolve-params.ts';

export {
  validateWorkflow,
  inspectWorkflow,
  FOR_EACH_TYPE,
  AGGREGATE_TYPE,
  FOR_EACH_ITEM_PORT,
  ERROR_PORT,
} from './validate.ts';
export type { WorkflowValidation, WorkflowInspection, WorkflowAnalysis } from './validate.ts';
export { GraphValidationError, formatPath } from './issues.ts';
export type { ValidationIssue, ValidationIssueCode } from './issues.ts';
export { compileWorkflow, DEFAULT_STEP_POLICY } from './compile.ts';
export { closestMatches } from './suggest.ts';

export { evaluateCondition, checkCondition, ConditionError } from '@apiq/sdk';
