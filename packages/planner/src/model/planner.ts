import OpenAI from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import {
  validateWorkflow,
  type GraphEdge,
  type GraphNode,
  type ValidationIssue,
  type WorkflowGraph,
} from '@apiq/graph';
import { createSafeFetch, type SafeFetch } from '@apiq/http';
import { paramsJsonSchema, type NodeCatalog } from '@apiq/sdk';
import { CatalogIndex, type Candidate } from '../catalog-search.ts';
import { layoutGraph } from '../layout.ts';
import type { Proposal } from '../proposal.ts';

export interface ModelConfig {
  /** Any OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or a local server. */
  baseURL: string;
  apiKey: string;
  model: string;
}

/** The model settings from `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `APIQ_PLANNER_MODEL` (or `OPENAI_MODEL`). */
export function modelConfigFromEnv(env: NodeJS.ProcessEnv): ModelConfig {
  return {
    baseURL: env.OPENAI_BASE_URL || 'https://api.openai.com/v1',
    apiKey: env.OPENAI_API_KEY || 'none',
    model: env.APIQ_PLANNER_MODEL || env.OPENAI_MODEL || 'gpt-4o-mini',
  };
}

export interface ModelPlannerOptions {
  catalog: NodeCatalog;
  index?: CatalogIndex;
  model: ModelConfig;
  /** The workflow open in the editor: follow-up messages edit it instead of starting over. */
  current?: WorkflowGraph;
  /** Earlier turns of the conversation (user prompts and the planner's summaries). */
  history?: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** Outbound client (default: the platform's safe client, honouring APIQ_HTTP_ALLOW). */
  fetch?: SafeFetch;
  /** How many candidate node types the model sees (default 14). */
  shortlist?: number;
  signal?: AbortSignal;
}

/** Always offered: the triggers and flow nodes most workflows need. */
const CORE_TYPES = [
  'core.manual_trigger',
  'core.webhook_trigger',
  'core.schedule_trigger',
  'core.if',
  'core.for_each',
  'core.aggregate',
  'core.wait',
  'core.set',
  'core.respond_webhook',
  'core.http_request',
];

const MAX_REPAIRS = 2;

const SYSTEM = `You design workflows for APIQ, an API orchestration platform. A workflow is a graph: exactly one trigger node, then steps connected by edges from an output port to an input port.
Rules:
- Use only the node types listed in the tools; fill params following each type's JSON Schema.
- A parameter computed at run time is an expression object {"kind":"expr","src":"<JSONata>"} using $trigger (the trigger's data), $input (the previous step's output), $steps.<nodeId> (a step's output), $item and $index inside a for-each loop.
- Conditions (core.if) are json-logic over {"input": ..., "trigger": ...}, e.g. {">": [{"var": "trigger.body.amount"}, 100]}. core.if has output ports "true" and "false".
- core.for_each sends each item out of its "item" port; the loop body must end in a core.aggregate, which continues with the list of results.
- Node ids: lower_snake_case, unique. Never put credentials, tokens or passwords in params: connections are chosen by the user later.
- When a required value is unknown (a channel, a list id, an address), use an obvious placeholder and say so in the step's explanation.
- If the request does not say what starts the workflow or where a notification should go, call ask_clarifying_question instead of guessing.
Call propose_workflow with the whole graph, or, when a current workflow is given, edit it with add_node / set_params / connect / remove_node and then finish.`;

function candidateTools(candidates: Candidate[], catalog: NodeCatalog): string {
  return candidates
    .map((c) => {
      const def = catalog.get(c.type, c.version);
      const schema = def ? JSON.stringify(paramsJsonSchema(def)) : '{}';
      const ports = def ? ` inputs=${JSON.stringify(def.inputs)} outputs=${JSON.stringify(def.outputs)}` : '';
      return `- ${c.type}@${c.version}${c.trigger ? ' (trigger)' : ''}: ${c.title}. ${c.description}${ports}\n  params schema: ${schema}`;
    })
    .join('\n');
}

function tools(types: string[]): ChatCompletionTool[] {
  const node = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
      type: { type: 'string', enum: types },
      name: { type: 'string' },
      params: { type: 'object' },
      explanation: { type: 'string', description: 'One sentence: what this step does.' },
    },
    required: ['id', 'type', 'params', 'explanation'],
  };
  const edge = {
    type: 'object',
    properties: {
      source: { type: 'string' },
      sourcePort: { type: 'string', default: 'main' },
      target: { type: 'string' },
      targetPort: { type: 'string', default: 'main' },
    },
    required: ['source', 'target'],
  };
  const fn = (name: string, description: string, parameters: Record<string, unknown>): ChatCompletionTool => ({
    type: 'function',
    function: { name, description, parameters },
  });
  return [
    fn('propose_workflow', 'Propose the whole workflow graph.', {
      type: 'object',
      properties: {
        name: { type: 'string' },
        summary: { type: 'string' },
        nodes: { type: 'array', items: node },
        edges: { type: 'array', items: edge },
      },
      required: ['name', 'nodes', 'edges', 'summary'],
    }),
    fn('add_node', 'Add a node to the current workflow.', node),
    fn('set_params', 'Replace some params of a node.', {
      type: 'object',
      properties: { id: { type: 'string' }, params: { type: 'object' } },
      required: ['id', 'params'],
    }),
    fn('connect', 'Connect two nodes.', edge),
    fn('remove_node', 'Remove a node and its edges.', {
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
    }),
    fn('finish', 'Finish editing the current workflow.', {
      type: 'object',
      properties: { summary: { type: 'string' } },
      required: ['summary'],
    }),
    fn('ask_clarifying_question', 'Ask the user one question when the request is too unclear to build.', {
      type: 'object',
      properties: { question: { type: 'string' } },
      required: ['question'],
    }),
  ];
}

/** The graph without anything secret-looking: credential references are the user's business, not the model's. */
function forPrompt(graph: WorkflowGraph): unknown {
  return {
    name: graph.name,
    nodes: graph.nodes.map(({ credentials: _c, position: _p, ...n }) => n),
    edges: graph.edges.map(({ id: _id, ...e }) => e),
  };
}

interface WorkingGraph {
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  explanation: Map<string, string>;
  summary: string;
}

function fromGraph(graph: WorkflowGraph): WorkingGraph {
  return {
    name: graph.name,
    nodes: graph.nodes.map((n) => ({ ...n })),
    edges: graph.edges.map((e) => ({ ...e })),
    explanation: new Map(),
    summary: '',
  };
}

type ToolOutcome = { question: string } | { finished: boolean; error?: string };

function versionOf(catalog: NodeCatalog, type: string): number {
  const v = catalog.versions(type);
  return v[v.length - 1] ?? 1;
}

/** Applies one tool call to the working graph; returns a question, or whether the model is done. */
function applyTool(call: ChatCompletionMessageToolCall, g: WorkingGraph, catalog: NodeCatalog): ToolOutcome {
  if (call.type !== 'function') return { finished: false, error: 'unknown tool type' };
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(call.function.arguments || '{}') as Record<string, unknown>;
  } catch (err) {
    return { finished: false, error: `arguments are not valid JSON: ${(err as Error).message}` };
  }
  const toNode = (n: Record<string, unknown>): GraphNode => ({
    id: String(n.id),
    type: String(n.type),
    version: versionOf(catalog, String(n.type)),
    ...(n.name ? { name: String(n.name) } : {}),
    params: (n.params as Record<string, unknown>) ?? {},
  });
  const toEdge = (e: Record<string, unknown>, i: number): GraphEdge => ({
    id: `e${i + 1}`,
    source: String(e.source),
    sourcePort: String(e.sourcePort ?? 'main'),
    target: String(e.target),
    targetPort: String(e.targetPort ?? 'main'),
  });
  switch (call.function.name) {
    case 'ask_clarifying_question':
      return { question: String(args.question ?? 'Could you say more about what the workflow should do?') };
    case 'propose_workflow': {
      const nodes = Array.isArray(args.nodes) ? (args.nodes as Record<string, unknown>[]) : [];
      const edges = Array.isArray(args.edges) ? (args.edges as Record<string, unknown>[]) : [];
      g.name = String(args.name ?? g.name ?? 'Workflow');
      g.summary = String(args.summary ?? '');
      g.nodes = nodes.map(toNode);
      g.edges = edges.map(toEdge);
      g.explanation = new Map(nodes.map((n) => [String(n.id), String(n.explanation ?? '')]));
      return { finished: true };
    }
    case 'add_node': {
      if (g.nodes.some((n) => n.id === args.id)) return { finished: false, error: `node "${String(args.id)}" exists` };
      g.nodes.push(toNode(args));
      g.explanation.set(String(args.id), String(args.explanation ?? ''));
      return { finished: false };
    }
    case 'set_params': {
      const node = g.nodes.find((n) => n.id === args.id);
      if (!node) return { finished: false, error: `no node "${String(args.id)}"` };
      node.params = { ...node.params, ...((args.params as Record<string, unknown>) ?? {}) };
      return { finished: false };
    }
    case 'connect': {
      const edge = toEdge(args, g.edges.length + g.nodes.length);
      const same = (e: GraphEdge) =>
        e.source === edge.source &&
        e.target === edge.target &&
        (e.sourcePort ?? 'main') === edge.sourcePort &&
        (e.targetPort ?? 'main') === edge.targetPort;
      if (g.edges.some(same)) return { finished: false, error: 'these ports are already connected' };
      let n = g.edges.length + 1;
      while (g.edges.some((e) => e.id === `e${n}`)) n++;
      g.edges.push({ ...edge, id: `e${n}` });
      return { finished: false };
    }
    case 'remove_node':
      g.nodes = g.nodes.filter((n) => n.id !== args.id);
      g.edges = g.edges.filter((e) => e.source !== args.id && e.target !== args.id);
      g.explanation.delete(String(args.id));
      return { finished: false };
    case 'finish':
      g.summary = String(args.summary ?? '');
      return { finished: true };
    default:
      return { finished: false, error: `unknown tool ${call.function.name}` };
  }
}

function issueList(issues: ValidationIssue[]): string {
  return issues.map((i) => `- ${i.path}${i.nodeId ? ` (node ${i.nodeId})` : ''}: ${i.message}`).join('\n');
}

/**
 * Plans with a model over any OpenAI-compatible endpoint using tool calling. Only a short list of
 * node types found by catalog search goes into the prompt. Every proposal is checked by the
 * workflow validator; its problems go back to the model for at most two repairs, and whatever
 * still fails is returned in `issues`, not hidden.
 *
 * @example
 * await planWithModel('When a Stripe payment succeeds, email the receipt', { catalog, model: modelConfigFromEnv(process.env) })
 */
export async function planWithModel(prompt: string, o: ModelPlannerOptions): Promise<Proposal> {
  const index = o.index ?? CatalogIndex.fromCatalog(o.catalog);
  const found = index.search(`${prompt} ${o.history?.map((h) => h.content).join(' ') ?? ''}`, o.shortlist ?? 14);
  const shortlist = new Map<string, Candidate>();
  for (const t of o.current?.nodes.map((n) => n.type) ?? []) if (index.get(t)) shortlist.set(t, index.get(t)!);
  for (const h of found) shortlist.set(h.candidate.type, h.candidate);
  for (const t of CORE_TYPES) if (index.get(t)) shortlist.set(t, index.get(t)!);
  const candidates = [...shortlist.values()];

  const client = new OpenAI({
    apiKey: o.model.apiKey,
    baseURL: o.model.baseURL,
    fetch: (o.fetch ?? createSafeFetch()) as unknown as typeof fetch,
    maxRetries: 0,
  });
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: `${SYSTEM}\n\nNode types you may use:\n${candidateTools(candidates, o.catalog)}` },
    ...(o.history ?? []),
    {
      role: 'user',
      content: o.current
        ? `Current workflow:\n${JSON.stringify(forPrompt(o.current))}\n\nChange it: ${prompt}`
        : prompt,
    },
  ];
  const working: WorkingGraph = o.current
    ? fromGraph(o.current)
    : { name: '', nodes: [], edges: [], explanation: new Map(), summary: '' };
  const toolDefs = tools(candidates.map((c) => c.type));
  let issues: ValidationIssue[] = [];
  let graph: WorkflowGraph | undefined;

  for (let round = 0; round <= MAX_REPAIRS; round++) {
    const completion = await client.chat.completions.create(
      { model: o.model.model, messages, tools: toolDefs, tool_choice: 'required', temperature: 0 },
      o.signal ? { signal: o.signal } : {},
    );
    const message = completion.choices[0]?.message;
    const calls = message?.tool_calls ?? [];
    if (calls.length === 0)
      throw new Error(`the model answered without calling a tool: ${message?.content ?? '(empty)'}`);
    messages.push({ role: 'assistant', content: message?.content ?? null, tool_calls: calls });
    for (const call of calls) {
      const outcome = applyTool(call, working, o.catalog);
      if ('question' in outcome)
        return {
          planner: 'model',
          explanation: [],
          summary: 'The model asked a question instead of guessing.',
          todo: [],
          credentials: [],
          question: outcome.question,
          issues: [],
        };
      messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.error ? `error: ${outcome.error}` : 'ok' });
    }
    const candidateGraph: WorkflowGraph = {
      apiq: 1,
      name: working.name || prompt.slice(0, 60),
      description: prompt,
      nodes: layoutGraph(working.nodes, working.edges),
      edges: working.edges,
      settings: o.current?.settings ?? {},
      ...(o.current?.notes ? { notes: o.current.notes } : {}),
    };
    const validation = validateWorkflow(candidateGraph, o.catalog);
    graph = validation.ok ? validation.graph : candidateGraph;
    issues = validation.ok ? [] : validation.errors;
    if (validation.ok || round === MAX_REPAIRS) break;
    messages.push({
      role: 'user',
      content: `The workflow does not validate. Fix these problems (call propose_workflow with the corrected whole graph):\n${issueList(issues)}`,
    });
  }
  const credentials = (graph?.nodes ?? []).flatMap((n) =>
    (o.catalog.get(n.type, n.version)?.credentials ?? []).map((c) => ({ nodeId: n.id, kind: c.kind })),
  );
  return {
    planner: 'model',
    ...(graph ? { graph } : {}),
    explanation: (graph?.nodes ?? []).map((n) => ({
      nodeId: n.id,
      text: working.explanation.get(n.id) || (n.name ?? n.type),
    })),
    summary: working.summary,
    todo: [],
    credentials,
    issues,
  };
}
