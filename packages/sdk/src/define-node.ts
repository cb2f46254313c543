import { z } from 'zod';
import type {
  CredentialRequirement,
  NodeCategory,
  NodeContext,
  NodeDefinition,
  NodeResult,
  NodeWebhook,
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
  webhook?: NodeWebhook<z.infer<S>>;
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
    ...(spec.webhook === undefined ? {} : { webhook: Object.freeze({ ...spec.webhook }) }),
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
  problems.push(...checkWebhook(def));
  return problems;
}

const WEBHOOK_HOOKS = ['verify', 'handshake', 'accept', 'deliveryId', 'output'] as const;

function checkWebhook(def: Partial<NodeDefinition>): string[] {
  if (def.webhook === undefined) {
    return def.trigger === 'app_event' ? ['app_event triggers need a webhook field (at least {})'] : [];
  }
  const problems: string[] = [];
  if (def.trigger !== 'app_event') problems.push('webhook is only for app_event triggers (set trigger: "app_event")');
  if (typeof def.webhook !== 'object' || def.webhook === null) return [...problems, 'webhook must be an object'];
  for (const [name, hook] of Object.entries(def.webhook)) {
    if (!(WEBHOOK_HOOKS as readonly string[]).includes(name))
      problems.push(`webhook.${name} is not a known hook (use ${WEBHOOK_HOOKS.join(', ')})`);
    else if (typeof hook !== 'function') problems.push(`webhook.${name} must be a function`);
  }
  const params = def.params;
  if (params instanceof z.ZodObject && !('path' in params.shape))
    problems.push('app_event triggers need a "path" param: the webhook URL path their deliveries arrive at');
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
