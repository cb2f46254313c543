import { z } from 'zod';
import type {
  CredentialRequirement,
  NodeCategory,
  NodeContext,
  NodeDefinition,
  NodeResult,
  PollResult,
  TriggerKind,
} from './types.ts';

export const NODE_ID_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const PORT_PATTERN = /^[a-z][a-z0-9_]*$/;
const CATEGORIES: readonly NodeCategory[] = ['trigger', 'flow', 'data', 'code', 'network', 'app', 'ai', 'utility'];

export interface NodeSpec<S extends z.ZodType> {
  id: string;
  version?: number;
  title: string;
  description: string;
  keywords?: string[];
  category: NodeCategory;
  icon?: string;
  trigger?: TriggerKind;
  credentials?: CredentialRequirement[];
  inputs?: string[];
  outputs?: string[];
  params: S;
  idempotent?: boolean;
  sideEffects?: boolean;
  run(ctx: NodeContext<z.infer<S>>): Promise<NodeResult> | NodeResult;
  poll?(ctx: NodeContext<z.infer<S>>): Promise<PollResult>;
}

export class NodeDefinitionError extends Error {
  constructor(
    readonly nodeId: string,
    readonly problems: string[],
  ) {
    super(`Node definition "${nodeId}" is invalid: ${problems.join('; ')}`);
    this.name = 'NodeDefinitionError';
  }
}

/**
 * Declares a node type. Defaults: version 1, one `main` input (none for triggers),
 * one `main` output, no credentials, not idempotent, with side effects.
 *
 * @example
 * export const echo = defineNode({
 *   id: 'demo.echo', title: 'Echo', description: 'Returns its input', category: 'utility',
 *   params: z.object({ prefix: z.string().default('') }),
 *   run: ({ params, input }) => ({ output: { prefix: params.prefix, input } }),
 * });
 */
export function defineNode<S extends z.ZodType>(spec: NodeSpec<S>): NodeDefinition<S> {
  const def: NodeDefinition<S> = {
    id: spec.id,
    version: spec.version ?? 1,
    title: spec.title,
    description: spec.description,
    keywords: spec.keywords ?? [],
    category: spec.category,
    ...(spec.icon === undefined ? {} : { icon: spec.icon }),
    ...(spec.trigger === undefined ? {} : { trigger: spec.trigger }),
    credentials: spec.credentials ?? [],
    inputs: spec.inputs ?? (spec.trigger ? [] : ['main']),
    outputs: spec.outputs ?? ['main'],
    params: spec.params,
    idempotent: spec.idempotent ?? false,
    sideEffects: spec.sideEffects ?? true,
    run: spec.run,
    ...(spec.poll === undefined ? {} : { poll: spec.poll }),
  };
  const problems = checkDefinition(def);
  if (problems.length > 0) throw new NodeDefinitionError(String(spec.id), problems);
  return Object.freeze(def);
}

/** Lists what is wrong with a definition (also used on plugins that did not use defineNode). */
export function checkDefinition(def: Partial<NodeDefinition>): string[] {
  const problems: string[] = [];
  if (typeof def.id !== 'string' || !NODE_ID_PATTERN.test(def.id)) {
    problems.push(`id must look like "namespace.snake_case" (got ${JSON.stringify(def.id)})`);
  }
  if (!Number.isInteger(def.version) || (def.version as number) < 1)
    problems.push('version must be a positive integer');
  if (typeof def.title !== 'string' || def.title.trim() === '') problems.push('title is required');
  if (typeof def.description !== 'string' || def.description.trim() === '') problems.push('description is required');
  if (!CATEGORIES.includes(def.category as NodeCategory))
    problems.push(`category must be one of ${CATEGORIES.join(', ')}`);
  if (!(def.params instanceof z.ZodType)) problems.push('params must be a zod schema');
  if (typeof def.run !== 'function') problems.push('run must be a function');
  for (const [label, ports] of [
    ['inputs', def.inputs],
    ['outputs', def.outputs],
  ] as const) {
    if (!Array.isArray(ports)) {
      problems.push(`${label} must be an array of port names`);
      continue;
    }
    const bad = ports.filter((p) => typeof p !== 'string' || !PORT_PATTERN.test(p));
    if (bad.length) problems.push(`${label} has invalid port names: ${bad.join(', ')}`);
    if (new Set(ports).size !== ports.length) problems.push(`${label} has duplicate port names`);
  }
  if (def.trigger && Array.isArray(def.inputs) && def.inputs.length > 0) problems.push('trigger nodes have no inputs');
  if (def.trigger === 'polling' && typeof def.poll !== 'function')
    problems.push('polling triggers need a poll function');
  return problems;
}

/** The JSON Schema of a node's parameters: what forms, API validation and the planner read. */
export function paramsJsonSchema(def: NodeDefinition): Record<string, unknown> {
  return z.toJSONSchema(def.params, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

/** `id@version`, the key a workflow pins. */
export function nodeKey(def: Pick<NodeDefinition, 'id' | 'version'>): string {
  return `${def.id}@${def.version}`;
}
