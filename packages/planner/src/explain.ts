import type { WorkflowGraph } from '@apiq/graph';
import { isExpr } from '@apiq/graph';
import type { NodeCatalog } from '@apiq/sdk';

function describeValue(value: unknown): string {
  if (isExpr(value)) return `computed (${value.src.length > 60 ? `${value.src.slice(0, 57)}…` : value.src})`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * "Explain this workflow": one line per step, in the order data flows, from the node types'
 * titles and descriptions and the main parameters. Deterministic; needs no model.
 */
export function explainWorkflow(graph: WorkflowGraph, catalog: NodeCatalog): Array<{ nodeId: string; text: string }> {
  const incoming = new Map<string, number>();
  for (const n of graph.nodes) incoming.set(n.id, 0);
  for (const e of graph.edges) incoming.set(e.target, (incoming.get(e.target) ?? 0) + 1);
  const order: string[] = [];
  const queue = graph.nodes.filter((n) => incoming.get(n.id) === 0).map((n) => n.id);
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const e of graph.edges.filter((x) => x.source === id)) {
      incoming.set(e.target, incoming.get(e.target)! - 1);
      if (incoming.get(e.target) === 0) queue.push(e.target);
    }
  }
  for (const n of graph.nodes) if (!order.includes(n.id)) order.push(n.id);
  return order.map((id) => {
    const node = graph.nodes.find((n) => n.id === id)!;
    const def = catalog.get(node.type, node.version ?? 1);
    const title = node.name ?? def?.title ?? node.type;
    const what = def?.description.split(/(?<=\.)\s/)[0] ?? `A ${node.type} step.`;
    const params = Object.entries(node.params ?? {})
      .slice(0, 3)
      .map(([k, v]) => `${k}: ${describeValue(v)}`)
      .join('; ');
    const after = graph.edges
      .filter((e) => e.target === id)
      .map((e) => {
        const from = graph.nodes.find((n) => n.id === e.source);
        const label = from?.name ?? e.source;
        return e.sourcePort && e.sourcePort !== 'main' ? `${label} (${e.sourcePort})` : label;
      });
    return {
      nodeId: id,
      text: `${title}: ${what}${params ? ` (${params})` : ''}${after.length ? ` After ${after.join(' and ')}.` : ''}`,
    };
  });
}
