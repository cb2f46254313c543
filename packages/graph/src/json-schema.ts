import { z } from 'zod';
import { WorkflowGraphSchema } from './schema.ts';

/**
 * The JSON Schema of a workflow graph file as written by people and tools (defaults are
 * optional), for the docs and the editor. Node params are open objects here: their schema
 * depends on the node type and is checked by `validateWorkflow`.
 */
export const WORKFLOW_JSON_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze(
  z.toJSONSchema(WorkflowGraphSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
);
