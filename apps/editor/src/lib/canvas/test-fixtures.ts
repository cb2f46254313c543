import type { NodeTypeInfo, TypeLookup, WorkflowGraph } from './types.ts';

/** Node types shaped like the core ones, for the canvas tests. */
export const TYPES: NodeTypeInfo[] = [
  {
    id: 'core.webhook_trigger',
    version: 1,
    title: 'Webhook trigger',
    description: 'Starts the workflow when an HTTP request arrives.',
    keywords: ['webhook', 'http', 'endpoint'],
    category: 'trigger',
    trigger: 'webhook',
    inputs: [],
    outputs: ['main'],
  },
  {
    id: 'core.code',
    version: 1,
    title: 'Code',
    description: 'Runs your own JavaScript on the data.',
    keywords: ['javascript', 'script', 'transform'],
    category: 'code',
    inputs: ['main'],
    outputs: ['main'],
  },
  {
    id: 'core.if',
    version: 1,
    title: 'If',
    description: 'Routes data to a true or false branch.',
    keywords: ['condition', 'branch'],
    category: 'flow',
    inputs: ['main'],
    outputs: ['true', 'false'],
  },
  {
    id: 'core.respond_webhook',
    version: 1,
    title: 'Respond to webhook',
    description: 'Sends the HTTP response to the caller.',
    keywords: ['respond', 'response', 'http response'],
    category: 'network',
    inputs: ['main'],
    outputs: ['main'],
  },
  {
    id: 'core.http_request',
    version: 1,
    title: 'HTTP request',
    description: 'Calls any HTTP API.',
    keywords: ['http', 'request', 'api', 'rest'],
    category: 'network',
    inputs: ['main'],
    outputs: ['main'],
  },
];

export const lookup: TypeLookup = (type, version) => TYPES.find((t) => t.id === type && t.version === version);

export function typeOf(id: string): NodeTypeInfo {
  const t = TYPES.find((x) => x.id === id);
  if (!t) throw new Error(`no fixture type ${id}`);
  return t;
}

/** hook → code → big (if) → high / low (respond). */
export function w2Graph(): WorkflowGraph {
  return {
    apiq: 1,
    name: 'Orders',
    settings: {},
    nodes: [
      { id: 'hook', type: 'core.webhook_trigger', version: 1, params: { path: 'orders' }, position: { x: 0, y: 0 } },
      { id: 'code', type: 'core.code', version: 1, params: { code: 'return 1' }, position: { x: 260, y: 0 } },
      { id: 'big', type: 'core.if', version: 1, params: {}, position: { x: 520, y: 0 } },
      { id: 'high', type: 'core.respond_webhook', version: 1, params: {}, position: { x: 780, y: -80 } },
      { id: 'low', type: 'core.respond_webhook', version: 1, params: {}, position: { x: 780, y: 80 } },
    ],
    edges: [
      { source: 'hook', sourcePort: 'main', target: 'code', targetPort: 'main' },
      { source: 'code', sourcePort: 'main', target: 'big', targetPort: 'main' },
      { source: 'big', sourcePort: 'true', target: 'high', targetPort: 'main' },
      { source: 'big', sourcePort: 'false', target: 'low', targetPort: 'main' },
    ],
  };
}
