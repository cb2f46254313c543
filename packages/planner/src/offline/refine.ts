import type { GraphEdge, GraphNode, WorkflowGraph } from '@apiq/graph';
import { validateWorkflow } from '@apiq/graph';
import type { NodeCatalog } from '@apiq/sdk';
import { CatalogIndex } from '../catalog-search.ts';
import { layoutGraph } from '../layout.ts';
import type { Proposal } from '../proposal.ts';
import { tokenize } from '../text.ts';
import { GraphBuilder } from './build.ts';
import { detectTrigger } from './intents.ts';
import { parsePrompt, splitSteps } from './parse.ts';
import { parseSchedule } from './schedule.ts';

/** The node every other hangs off: the graph's trigger. */
function triggerOf(graph: WorkflowGraph, catalog: NodeCatalog): GraphNode | undefined {
  return graph.nodes.find((n) => catalog.get(n.type, n.version)?.trigger);
}

/** Nodes with no outgoing edge, last added first: where "also …" attaches. */
function lastNode(graph: WorkflowGraph): GraphNode {
  const hasOut = new Set(graph.edges.map((e) => e.source));
  const ends = graph.nodes.filter((n) => !hasOut.has(n.id));
  return ends[ends.length - 1] ?? graph.nodes[graph.nodes.length - 1]!;
}

function removeNodes(graph: WorkflowGraph, ids: Set<string>): WorkflowGraph {
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    if (ids.has(e.source) || ids.has(e.target)) continue;
    edges.push(e);
  }
  // Reconnect around each removed node: its parents to its children.
  for (const id of ids) {
    const parents = graph.edges.filter((e) => e.target === id && !ids.has(e.source));
    const children = graph.edges.filter((e) => e.source === id && !ids.has(e.target));
    for (const p of parents)
      for (const c of children)
        if (!edges.some((e) => e.source === p.source && e.target === c.target))
          edges.push({ ...c, id: `${p.id ?? 'e'}_${c.id ?? 'e'}`, source: p.source, sourcePort: p.sourcePort });
  }
  return { ...graph, nodes: graph.nodes.filter((n) => !ids.has(n.id)), edges };
}

/**
 * Applies a follow-up message to a workflow without touching the user's other changes: "also
 * email me", "only for issues labelled bug", "remove the Trello step", "run every hour instead",
 * "post to #ops instead". Anything else gets a plain answer that the offline planner cannot do it.
 *
 * @example
 * refineOffline(graph, 'also email me at ann@example.com', { catalog })
 */
export function refineOffline(
  graph: WorkflowGraph,
  message: string,
  o: { catalog: NodeCatalog; index?: CatalogIndex },
): Proposal {
  const index = o.index ?? CatalogIndex.fromCatalog(o.catalog);
  const text = message.trim().replace(/[.!]+$/, '');
  const trigger = triggerOf(graph, o.catalog);
  const base = { planner: 'offline' as const, todo: [], credentials: [], issues: [] };
  const finish = (next: WorkflowGraph, summary: string, builder?: GraphBuilder): Proposal => {
    const laidOut = { ...next, nodes: layoutGraph(next.nodes, next.edges) };
    const v = validateWorkflow(laidOut, o.catalog);
    return {
      planner: 'offline',
      graph: v.ok ? v.graph : laidOut,
      explanation: builder?.explanation ?? [],
      summary,
      todo: builder?.todo ?? [],
      credentials: [],
      issues: v.ok ? [] : v.errors,
    };
  };
  if (!trigger)
    return {
      ...base,
      explanation: [],
      summary: 'This workflow has no trigger to build on.',
      question: 'What should start this workflow?',
    };

  // "Remove the Trello step", "don't post to Slack", "drop the wait"
  const remove =
    /^(?:please\s+)?(?:remove|delete|drop|skip|don't|do not|no longer|without)\s+(?:the\s+)?(.+?)(?:\s+step)?$/i.exec(
      text,
    );
  if (remove) {
    const words = new Set(tokenize(remove[1]!));
    const ids = new Set(
      graph.nodes
        .filter((n) => n.id !== trigger.id)
        .filter((n) => tokenize(`${n.type} ${n.name ?? ''} ${n.id}`).some((t) => words.has(t)))
        .map((n) => n.id),
    );
    if (ids.size === 0)
      return {
        ...base,
        explanation: [],
        summary: `No step matches “${remove[1]}”.`,
        question: `Which step should I remove? (${graph.nodes.map((n) => n.name ?? n.id).join(', ')})`,
      };
    return finish(removeNodes(graph, ids), `Removed ${[...ids].join(', ')}.`);
  }

  // "Run every hour instead", "make it daily at 8am"
  const schedule = parseSchedule(text);
  if (
    schedule &&
    /\b(?:instead|run|make it|change|switch|every|daily|hourly|weekly)\b/i.test(text) &&
    !/\b(?:also|and)\b/i.test(text)
  ) {
    const next = detectTrigger(text, text)!;
    const builder = new GraphBuilder(o.catalog, index, next.type);
    builder.reserve(
      graph.nodes.map((n) => n.id).filter((id) => id !== trigger.id),
      graph.edges.map((e) => e.id ?? ''),
    );
    const id = builder.addNode(next.type, next.name, next.params, next.explain);
    const nodes = graph.nodes.map((n) => (n.id === trigger.id ? builder.nodes[0]! : n));
    const edges = graph.edges.map((e) => (e.source === trigger.id ? { ...e, source: id, sourcePort: 'main' } : e));
    return finish({ ...graph, nodes, edges }, `Now starts ${schedule.description}.`, builder);
  }

  // "Post to #ops instead"
  const channel = /#([a-z0-9][a-z0-9_-]*)/i.exec(text);
  if (channel && /\binstead\b|\buse\b|\bchange\b/i.test(text)) {
    const slack = graph.nodes.filter((n) => n.type === 'slack.post_message');
    if (slack.length > 0)
      return finish(
        {
          ...graph,
          nodes: graph.nodes.map((n) =>
            n.type === 'slack.post_message'
              ? { ...n, params: { ...n.params, channel: `#${channel[1]!.toLowerCase()}` } }
              : n,
          ),
        },
        `Slack messages now go to #${channel[1]}.`,
      );
  }

  // "Only for issues labelled bug": an If right after the trigger, around everything else.
  const only = /^(?:but\s+)?only\s+(?:for|when|if)\s+(.+)$/i.exec(text);
  if (only) {
    const builder = new GraphBuilder(o.catalog, index, trigger.type);
    builder.reserve(
      graph.nodes.map((n) => n.id),
      graph.edges.map((e) => e.id ?? ''),
    );
    builder.addSteps(
      [{ kind: 'if', conditionText: only[1]!, then: [], else: [] }],
      [{ node: trigger.id, port: 'main' }],
    );
    const ifNode = builder.nodes[0]!;
    const edges = [
      ...graph.edges.map((e) => (e.source === trigger.id ? { ...e, source: ifNode.id, sourcePort: 'true' } : e)),
      ...builder.edges,
    ];
    return finish(
      { ...graph, nodes: [...graph.nodes, ...builder.nodes], edges },
      `Continues only when ${only[1]}.`,
      builder,
    );
  }

  // "Also email me", "and create a Trello card", "add a step that posts to #ops"
  const also = /^(?:also|and|plus|then|add a step (?:that|to)|add)\s+(.+)$/i.exec(text);
  if (also) {
    const parsed = parsePrompt(also[1]!);
    const builder = new GraphBuilder(o.catalog, index, trigger.type);
    builder.reserve(
      graph.nodes.map((n) => n.id),
      graph.edges.map((e) => e.id ?? ''),
    );
    const steps = parsed.steps.length
      ? parsed.steps
      : splitSteps(also[1]!).map((clause) => ({ kind: 'action' as const, clause }));
    builder.addSteps(steps, [{ node: lastNode(graph).id, port: 'main' }]);
    if (builder.nodes.length === 0)
      return {
        ...base,
        explanation: [],
        summary: 'Nothing to add.',
        question: builder.unclearDestination.length
          ? `Where should “${builder.unclearDestination[0]}” go: Slack or email?`
          : `Which app or action should do “${also[1]}”?`,
      };
    return finish(
      { ...graph, nodes: [...graph.nodes, ...builder.nodes], edges: [...graph.edges, ...builder.edges] },
      `Added ${builder.nodes.map((n) => n.name ?? n.id).join(', ')}.`,
      builder,
    );
  }
  return {
    ...base,
    explanation: [],
    summary: 'The offline planner could not apply this change.',
    question:
      'The offline planner understands “also …”, “only for/if …”, “remove the … step”, “run every … instead” and “post to #channel instead”. Rephrase the change that way, edit the graph directly, or configure a model in Settings.',
  };
}
