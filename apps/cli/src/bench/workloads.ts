/** The webhook workflows the benchmark loads, with the requests it sends and the answers it expects. */

export const WORKLOAD_IDS = ['w1', 'w2', 'w2-set', 'w3'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

export interface WorkloadCheck {
  request: unknown;
  response: unknown;
}

export interface Workload {
  id: WorkloadId;
  title: string;
  /** The webhook path (`POST /webhook/<path>`). */
  path: string;
  /** The workflow graph; W3 needs the URL of the local upstream. */
  graph(env: { upstreamUrl: string }): unknown;
  /** The body sent under load; its expected response is `checks[0].response`. */
  load: WorkloadCheck;
  /** Extra request/response pairs checked once before the load (e.g. the other branch). */
  alsoCheck: WorkloadCheck[];
  needsUpstream: boolean;
}

const expr = (src: string) => ({ kind: 'expr', src });

function order(amount: number, priceStep: number) {
  return { amount, items: Array.from({ length: 10 }, (_, i) => ({ id: i + 1, price: (i + 1) * priceStep })) };
}

/** 10 items priced 2.5 … 25: total 137.5, the "high" branch. */
const BIG_ORDER = order(7, 2.5);
/** 10 items priced 1 … 10: total 55, the "low" branch. */
const SMALL_ORDER = order(7, 1);

/** Trigger → [transform nodes] → If total > 100 → respond high / low. */
function branchGraph(name: string, path: string, transform: { id: string; type: string; params: unknown }) {
  return {
    name,
    nodes: [
      { id: 'hook', type: 'core.webhook_trigger', params: { path, respond: 'respond_node' } },
      transform,
      { id: 'big', type: 'core.if', params: { condition: { '>': [{ var: 'input.total' }, 100] } } },
      { id: 'high', type: 'core.respond_webhook', params: { body: expr("{ 'tier': 'high', 'total': $input.total }") } },
      { id: 'low', type: 'core.respond_webhook', params: { body: expr("{ 'tier': 'low', 'total': $input.total }") } },
    ],
    edges: [
      { source: 'hook', target: transform.id },
      { source: transform.id, target: 'big' },
      { source: 'big', sourcePort: 'true', target: 'high' },
      { source: 'big', sourcePort: 'false', target: 'low' },
    ],
  };
}

const branchChecks = {
  load: { request: BIG_ORDER, response: { tier: 'high', total: 137.5 } },
  alsoCheck: [{ request: SMALL_ORDER, response: { tier: 'low', total: 55 } }],
};

export const WORKLOADS: Record<WorkloadId, Workload> = {
  w1: {
    id: 'w1',
    title: 'echo: webhook → respond with the request body',
    path: 'w1',
    graph: () => ({
      name: 'bench W1 echo',
      nodes: [
        { id: 'hook', type: 'core.webhook_trigger', params: { path: 'w1', respond: 'respond_node' } },
        { id: 'reply', type: 'core.respond_webhook', params: { body: expr('$trigger.body') } },
      ],
      edges: [{ source: 'hook', target: 'reply' }],
    }),
    load: { request: { a: 1, b: [1, 2, 3] }, response: { a: 1, b: [1, 2, 3] } },
    alsoCheck: [],
    needsUpstream: false,
  },
  w2: {
    id: 'w2',
    title: 'transform + branch: Code node sums 10 prices → If total > 100 → respond',
    path: 'w2',
    graph: () =>
      branchGraph('bench W2 code and branch', 'w2', {
        id: 'sum',
        type: 'core.code',
        params: {
          code: 'const items = input.body.items;\nreturn { total: items.reduce((s, i) => s + i.price, 0), count: items.length };',
        },
      }),
    ...branchChecks,
    needsUpstream: false,
  },
  'w2-set': {
    id: 'w2-set',
    title: 'as W2, with a Set node and JSONata expressions instead of Code',
    path: 'w2-set',
    graph: () =>
      branchGraph('bench W2 set and branch', 'w2-set', {
        id: 'sum',
        type: 'core.set',
        params: {
          mode: 'replace',
          fields: { total: expr('$sum($input.body.items.price)'), count: expr('$count($input.body.items)') },
        },
      }),
    ...branchChecks,
    needsUpstream: false,
  },
  w3: {
    id: 'w3',
    title: 'fan-out: 3 sequential HTTP Request nodes to a local upstream → respond with their bodies',
    path: 'w3',
    graph: ({ upstreamUrl }) => ({
      name: 'bench W3 three calls',
      nodes: [
        { id: 'hook', type: 'core.webhook_trigger', params: { path: 'w3', respond: 'respond_node' } },
        ...['c1', 'c2', 'c3'].map((id) => ({
          id,
          type: 'core.http_request',
          params: { method: 'GET', url: upstreamUrl },
        })),
        {
          id: 'reply',
          type: 'core.respond_webhook',
          params: { body: expr("{ 'r1': $steps.c1.body, 'r2': $steps.c2.body, 'r3': $steps.c3.body }") },
        },
      ],
      edges: [
        { source: 'hook', target: 'c1' },
        { source: 'c1', target: 'c2' },
        { source: 'c2', target: 'c3' },
        { source: 'c3', target: 'reply' },
      ],
    }),
    load: { request: { order: 42 }, response: { r1: { ok: true }, r2: { ok: true }, r3: { ok: true } } },
    alsoCheck: [],
    needsUpstream: true,
  },
};

/**
 * A manual trigger followed by `steps` No-op nodes in a line: the engine's own cost per step.
 *
 * @example
 * noOpChain(100).nodes.length; // 101
 */
export function noOpChain(steps: number) {
  const ids = Array.from({ length: steps }, (_, i) => `n${String(i + 1).padStart(3, '0')}`);
  return {
    name: `bench ${steps}-step no-op chain`,
    nodes: [
      { id: 'start', type: 'core.manual_trigger', params: {} },
      ...ids.map((id) => ({ id, type: 'core.no_op', params: {} })),
    ],
    edges: ids.map((id, i) => ({ source: i === 0 ? 'start' : ids[i - 1]!, target: id })),
  };
}

/** The Code node's source in W2, measured alone in the bench process. */
export const W2_CODE = (
  WORKLOADS.w2.graph({ upstreamUrl: '' }) as { nodes: { id: string; params: { code?: string } }[] }
).nodes.find((n) => n.id === 'sum')!.params.code!;

/** The Code node's input in W2 (the webhook trigger's output for the load request). */
export const W2_CODE_INPUT = { body: BIG_ORDER };
