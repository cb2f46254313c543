import { validateWorkflow, type WorkflowGraph } from '@apiq/graph';
import type { NodeCatalog } from '@apiq/sdk';
import { CatalogIndex } from '../catalog-search.ts';
import { layoutGraph } from '../layout.ts';
import type { Proposal } from '../proposal.ts';
import { GraphBuilder } from './build.ts';
import { detectTrigger } from './intents.ts';
import { parsePrompt } from './parse.ts';

export interface OfflinePlannerOptions {
  catalog: NodeCatalog;
  /** A prebuilt index (reuse it across calls); built from the catalog when absent. */
  index?: CatalogIndex;
}

const TRIGGER_QUESTION =
  'What should start this workflow: an incoming webhook, a schedule (for example "every hour"), an app event (for example a new GitHub issue or a Stripe payment), or a manual run?';

function workflowName(prompt: string): string {
  const words = prompt.trim().replace(/\s+/g, ' ');
  const first = words.length > 60 ? `${words.slice(0, 57).replace(/\s+\S*$/, '')}…` : words;
  return first.charAt(0).toUpperCase() + first.slice(1).replace(/[.!]+$/, '');
}

/**
 * The deterministic planner: reads the common shapes (a trigger — webhook, schedule phrases, app
 * events, manual — then steps, "if … otherwise …", "for each …", waits) with the same catalog the
 * editor uses, and proposes a graph that passes the workflow validator. No model, no network.
 *
 * @example
 * planOffline('Every Monday at 9am, email me the open pull requests', { catalog })
 */
export function planOffline(prompt: string, o: OfflinePlannerOptions): Proposal {
  const index = o.index ?? CatalogIndex.fromCatalog(o.catalog);
  const parsed = parsePrompt(prompt);
  const base = { planner: 'offline' as const, todo: [], credentials: [], issues: [] };
  let trigger = detectTrigger(prompt, parsed.triggerClause);
  if (trigger && !index.has(trigger.type)) trigger = undefined;
  if (!trigger) {
    if (parsed.expectsTrigger || parsed.steps.length === 0)
      return {
        ...base,
        explanation: [],
        summary: 'The request does not say what starts the workflow.',
        question: TRIGGER_QUESTION,
      };
    trigger = {
      type: 'core.manual_trigger',
      name: 'Run by hand',
      explain: 'Starts when you run it (no trigger was named; change it to a webhook or schedule if needed).',
      params: {},
      matched: '',
    };
  }
  const builder = new GraphBuilder(o.catalog, index, trigger.type);
  const triggerId = builder.addNode(trigger.type, trigger.name, trigger.params, trigger.explain);
  builder.addSteps(parsed.steps, [{ node: triggerId, port: 'main' }]);

  if (builder.unclearDestination.length > 0) {
    const options = ['slack.post_message', 'email.send'].filter((t) => index.has(t)).map((t) => index.get(t)!.title);
    return {
      ...base,
      explanation: [],
      summary: 'The request asks for a notification without saying where it should go.',
      question: `Where should “${builder.unclearDestination[0]}” go${options.length ? `: ${options.join(' or ')}` : ''}?`,
    };
  }
  if (builder.nodes.length === 1)
    return {
      ...base,
      explanation: [],
      summary: 'The request names a trigger but no step APIQ could map to a node.',
      question: builder.unmatched.length
        ? `Which app or action should do “${builder.unmatched[0]}”?`
        : 'What should the workflow do once it starts?',
    };

  const triggerNode = builder.nodes[0]!;
  if (triggerNode.type === 'core.webhook_trigger' && builder.nodes.some((n) => n.type === 'core.respond_webhook'))
    triggerNode.params = { ...triggerNode.params, respond: 'respond_node' };

  const graph: WorkflowGraph = {
    apiq: 1,
    name: workflowName(prompt),
    description: prompt.trim(),
    nodes: layoutGraph(builder.nodes, builder.edges),
    edges: builder.edges,
    settings: {},
  };
  const validation = validateWorkflow(graph, o.catalog);
  const credentials = graph.nodes.flatMap((n) =>
    (o.catalog.get(n.type, n.version)?.credentials ?? []).map((c) => ({ nodeId: n.id, kind: c.kind })),
  );
  const skipped = builder.unmatched.length
    ? ` I could not map ${builder.unmatched.map((u) => `“${u}”`).join(', ')} to a node; add it by hand.`
    : '';
  return {
    planner: 'offline',
    graph: validation.ok ? validation.graph : graph,
    explanation: builder.explanation,
    summary: `${builder.nodes.length} steps: ${builder.explanation.map((e) => e.text.replace(/\.$/, '')).join('; ')}.${skipped}`,
    todo: builder.todo,
    credentials,
    issues: validation.ok ? [] : validation.errors,
  };
}
