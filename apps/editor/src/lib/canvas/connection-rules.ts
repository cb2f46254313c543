import type { GraphEdge, TypeLookup, WorkflowGraph } from './types.ts';

/** Every step (not a trigger) also has this output: with continue-on-error, failures travel there. */
export const ERROR_PORT = 'error';

export interface ConnectionAttempt {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

/** The output ports a node offers: its type's outputs, plus `error` for every step that is not a trigger. */
export function outputPortsOf(type: { outputs: string[]; trigger?: string } | undefined): string[] {
  if (!type) return ['main'];
  return type.trigger ? type.outputs : [...type.outputs, ERROR_PORT];
}

/** Whether `to` can be reached from `from` by following edges. */
function reaches(edges: readonly GraphEdge[], from: string, to: string): string[] | undefined {
  const previous = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head] as string;
    if (u === to) {
      const path = [u];
      let p = u;
      while (p !== from) {
        p = previous.get(p) as string;
        path.push(p);
      }
      return path.reverse();
    }
    for (const e of edges) {
      if (e.source === u && !seen.has(e.target)) {
        seen.add(e.target);
        previous.set(e.target, u);
        queue.push(e.target);
      }
    }
  }
  return undefined;
}

/**
 * The editor's connection rules, mirroring the graph validator's edge checks so a wrong wire is
 * refused with a reason while drawing instead of after saving.
 *
 * @example
 * const check = checkConnection(graph, { source: 'hook', sourcePort: 'main', target: 'code', targetPort: 'main' }, lookup);
 * if (!check.ok) toast(check.reason);
 */
export function checkConnection(graph: WorkflowGraph, attempt: ConnectionAttempt, lookup: TypeLookup): ConnectionCheck {
  const { source, sourcePort, target, targetPort } = attempt;
  const sourceNode = graph.nodes.find((n) => n.id === source);
  const targetNode = graph.nodes.find((n) => n.id === target);
  if (!sourceNode) return { ok: false, reason: `Node "${source}" does not exist.` };
  if (!targetNode) return { ok: false, reason: `Node "${target}" does not exist.` };
  const label = (id: string, name?: string) => `"${name ?? id}"`;
  const sourceType = lookup(sourceNode.type, sourceNode.version);
  const targetType = lookup(targetNode.type, targetNode.version);

  if (source === target)
    return {
      ok: false,
      reason: 'A node cannot feed itself. To repeat work, use For each with Aggregate.',
    };
  if (targetType?.trigger)
    return {
      ok: false,
      reason: `${label(target, targetNode.name)} is a trigger: it starts the workflow and has no input.`,
    };
  if (targetType && targetType.inputs.length === 0)
    return { ok: false, reason: `${label(target, targetNode.name)} has no input.` };
  if (sourceType) {
    const outputs = outputPortsOf(sourceType);
    if (!outputs.includes(sourcePort)) {
      if (sourceType.inputs.includes(sourcePort))
        return {
          ok: false,
          reason: 'Connect an output (right side of a node) to an input (left side of another node).',
        };
      return { ok: false, reason: `${label(source, sourceNode.name)} has no output "${sourcePort}".` };
    }
  }
  if (targetType && !targetType.inputs.includes(targetPort)) {
    if (outputPortsOf(targetType).includes(targetPort))
      return {
        ok: false,
        reason: 'Two outputs cannot be connected: connect an output to an input (left side of a node).',
      };
    return { ok: false, reason: `${label(target, targetNode.name)} has no input "${targetPort}".` };
  }
  if (
    graph.edges.some(
      (e) => e.source === source && e.sourcePort === sourcePort && e.target === target && e.targetPort === targetPort,
    )
  )
    return { ok: false, reason: 'These two ports are already connected.' };
  const back = reaches(graph.edges, target, source);
  if (back) {
    const names = [...back, target].map((id) => {
      const n = graph.nodes.find((x) => x.id === id);
      return label(id, n?.name);
    });
    return {
      ok: false,
      reason: `This would make a cycle (${names.join(' → ')}). To repeat work, use For each with Aggregate instead of an edge going back.`,
    };
  }
  return { ok: true };
}
