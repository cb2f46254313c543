import { createStaticCatalog, defineNode, z } from '@apiq/sdk';
import type { Json, NodeCatalog, NodeResult } from '@apiq/sdk';

/**
 * A static catalog of stand-ins for the core nodes: same ids, ports, trigger kinds and
 * side-effect flags, simple params, pass-through `run`. For graph and engine tests that
 * must not depend on the real node packages.
 */
const passThrough = ({ input }: { input: Json }): NodeResult => ({ output: input });

export const fixtureNodes = [
  defineNode({
    id: 'core.manual_trigger',
    title: 'Manual trigger',
    description: 'Starts a run by hand',
    category: 'trigger',
    trigger: 'manual',
    sideEffects: false,
    params: z.object({}),
    run: passThrough,
  }),
  defineNode({
    id: 'core.webhook_trigger',
    title: 'Webhook trigger',
    description: 'Starts a run on an HTTP request',
    category: 'trigger',
    trigger: 'webhook',
    sideEffects: false,
    params: z.object({
      path: z.string().min(1).optional(),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      respond: z.enum(['immediately', 'when_done', 'using_respond_node']).default('immediately'),
    }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.respond_webhook',
    title: 'Respond to webhook',
    description: 'Answers the waiting webhook caller',
    category: 'flow',
    sideEffects: false,
    params: z.object({
      status: z.number().int().min(100).max(599).default(200),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.if',
    title: 'If',
    description: 'Routes to true or false by a condition',
    category: 'flow',
    outputs: ['true', 'false'],
    sideEffects: false,
    params: z.object({ condition: z.unknown() }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.switch',
    title: 'Switch',
    description: 'Routes to the first matching case',
    category: 'flow',
    outputs: ['case_1', 'case_2', 'case_3', 'case_4', 'default'],
    sideEffects: false,
    params: z.object({ cases: z.array(z.unknown()).max(4) }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.set',
    title: 'Set',
    description: 'Builds an object from values',
    category: 'data',
    sideEffects: false,
    params: z.object({ values: z.record(z.string(), z.unknown()) }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.code',
    title: 'Code',
    description: 'Runs JavaScript in a sandbox',
    category: 'code',
    params: z.object({ code: z.string().min(1) }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.merge',
    title: 'Merge',
    description: 'Joins several branches',
    category: 'flow',
    inputs: ['a', 'b', 'c', 'd'],
    sideEffects: false,
    params: z.object({ mode: z.enum(['append', 'combine', 'first']).default('append') }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.for_each',
    title: 'For each',
    description: 'Runs the body once per item',
    category: 'flow',
    outputs: ['item'],
    sideEffects: false,
    params: z.object({ items: z.array(z.unknown()) }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.aggregate',
    title: 'Aggregate',
    description: 'Collects the per-item results of a for-each',
    category: 'flow',
    sideEffects: false,
    params: z.object({}),
    run: passThrough,
  }),
  defineNode({
    id: 'core.wait',
    title: 'Wait',
    description: 'Suspends the run for a while or until resumed',
    category: 'flow',
    sideEffects: false,
    params: z.object({
      seconds: z.number().min(0).optional(),
      until: z.string().optional(),
      webhook: z.boolean().optional(),
    }),
    run: passThrough,
  }),
  defineNode({
    id: 'core.no_op',
    title: 'No operation',
    description: 'Passes its input on',
    category: 'utility',
    sideEffects: false,
    params: z.object({}),
    run: passThrough,
  }),
  defineNode({
    id: 'core.http_request',
    title: 'HTTP request',
    description: 'Calls an HTTP endpoint',
    category: 'network',
    params: z.object({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
      url: z.string().url(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
    run: passThrough,
  }),
];

/** The fixture catalog (one shared instance; catalogs are read-only). */
export const fixtureCatalog: NodeCatalog = createStaticCatalog(fixtureNodes);

export function createFixtureCatalog(): NodeCatalog {
  return createStaticCatalog(fixtureNodes);
}
