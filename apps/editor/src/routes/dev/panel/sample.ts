import type { GraphNode, WorkflowGraph } from '$lib/panel/types.ts';

/**
 * A W2-style sample (webhook → HTTP request → set fields → if) and a recorded run of it, for the
 * node panel's development page when no `?workflow=` is given.
 */
export const SAMPLE_GRAPH: WorkflowGraph = {
  apiq: 1,
  name: 'Sample: enrich new orders',
  nodes: [
    {
      id: 'order_hook',
      type: 'core.webhook_trigger',
      version: 1,
      name: 'New order',
      params: { path: 'orders/created', method: 'POST' },
    },
    {
      id: 'fetch_customer',
      type: 'core.http_request',
      version: 1,
      name: 'Fetch customer',
      params: {
        method: 'GET',
        url: { kind: 'expr', src: '"https://api.example.com/customers/" & $trigger.body.customerId' },
        headers: { Accept: 'application/json' },
      },
    },
    {
      id: 'enrich',
      type: 'core.set',
      version: 1,
      name: 'Enrich order',
      params: {
        fields: { email: { kind: 'expr', src: '$steps.fetch_customer.body.email' }, source: 'web' },
        mode: 'merge',
      },
    },
    {
      id: 'big_order',
      type: 'core.if',
      version: 1,
      name: 'Big order?',
      params: { condition: { '>': [{ var: 'input.total' }, 100] } },
    },
    {
      id: 'nightly',
      type: 'core.schedule_trigger',
      version: 1,
      params: { cron: '0 3 * * *', timezone: 'UTC' },
    },
  ] as GraphNode[],
  edges: [
    { source: 'order_hook', sourcePort: 'main', target: 'fetch_customer', targetPort: 'main' },
    { source: 'fetch_customer', sourcePort: 'main', target: 'enrich', targetPort: 'main' },
    { source: 'enrich', sourcePort: 'main', target: 'big_order', targetPort: 'main' },
  ],
  settings: {},
};

const trigger = {
  headers: { 'content-type': 'application/json' },
  body: { orderId: 'o_1042', customerId: 'c_77', total: 240 },
};
const customer = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: {
    id: 'c_77',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    tier: 'gold',
    orders: [
      { id: 'o_1001', total: 80 },
      { id: 'o_1042', total: 240 },
    ],
  },
};

const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 9, 0, s)).toISOString();
const step = (
  stepId: string,
  nodeType: string,
  attempt: number,
  status: string,
  input: unknown,
  output: unknown,
  error: unknown,
  s: number,
  ms: number,
) => ({
  id: s * 10 + attempt,
  stepId,
  iteration: '',
  attempt,
  status,
  nodeType,
  input,
  output,
  ports: status === 'succeeded' ? ['main'] : null,
  error,
  logs: null,
  startedAt: at(s),
  finishedAt: at(s + 1),
  durationMs: ms,
  itemCount: output === null ? null : 1,
});

/** A recorded run of SAMPLE_GRAPH: the HTTP step needed a retry, the If step failed. */
export const SAMPLE_RUN = {
  id: '00000000-0000-4000-8000-00000000a001',
  workflowId: '00000000-0000-4000-8000-00000000b001',
  workflowName: SAMPLE_GRAPH.name,
  versionId: '00000000-0000-4000-8000-00000000c001',
  status: 'failed',
  triggerKind: 'webhook',
  createdAt: at(0),
  startedAt: at(0),
  finishedAt: at(5),
  durationMs: 5000,
  error: { name: 'ConditionError', message: 'unknown operation: >>', stepId: 'big_order' },
  input: trigger,
  output: null,
  response: null,
  parentRunId: null,
  editor: null,
  paused: false,
  graph: SAMPLE_GRAPH,
  version: 1,
  steps: [
    step('order_hook', 'core.webhook_trigger', 1, 'succeeded', trigger, trigger, null, 0, 2),
    step(
      'fetch_customer',
      'core.http_request',
      1,
      'failed',
      trigger,
      null,
      {
        kind: 'retryable',
        name: 'HttpError',
        message: 'GET https://api.example.com/customers/c_77 answered 503 Service Unavailable',
        details: { status: 503 },
      },
      1,
      412,
    ),
    step('fetch_customer', 'core.http_request', 2, 'succeeded', trigger, customer, null, 2, 230),
    step(
      'enrich',
      'core.set',
      1,
      'succeeded',
      customer,
      { ...customer, email: 'ada@example.com', source: 'web' },
      null,
      3,
      3,
    ),
    step(
      'big_order',
      'core.if',
      1,
      'failed',
      { ...customer, email: 'ada@example.com', source: 'web' },
      null,
      { kind: 'fatal', name: 'ConditionError', message: 'unknown operation: >>' },
      4,
      1,
    ),
  ],
};
