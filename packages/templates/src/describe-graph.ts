import type { NodeCatalog } from '@apiq/sdk';
import type { RequiredCredential } from './template-schema.ts';

interface LooseNode {
  id: string;
  type: string;
  version?: number;
  name?: string;
  credentials?: Record<string, string>;
}

function nodesOf(graph: Record<string, unknown>): LooseNode[] {
  return (Array.isArray(graph.nodes) ? graph.nodes : []).filter(
    (n): n is LooseNode => typeof n === 'object' && n !== null && typeof (n as LooseNode).id === 'string',
  );
}

/**
 * The connections a workflow uses, as a template declares them: one entry per credential kind
 * found in its nodes' `credentials`, naming the nodes.
 *
 * @example
 * requiredCredentialsOf(graph, catalog); // [{ kind: 'slack', nodeIds: ['notify'], why: 'Slack: used by "Notify the team"' }]
 */
export function requiredCredentialsOf(graph: Record<string, unknown>, catalog: NodeCatalog): RequiredCredential[] {
  const byKind = new Map<string, LooseNode[]>();
  for (const node of nodesOf(graph))
    for (const kind of Object.keys(node.credentials ?? {})) byKind.set(kind, [...(byKind.get(kind) ?? []), node]);
  return [...byKind].map(([kind, nodes]) => ({
    kind,
    nodeIds: nodes.map((n) => n.id),
    why: `${catalog.credentialKind(kind)?.title ?? kind}: used by ${nodes.map((n) => `"${n.name || n.id}"`).join(', ')}`,
  }));
}

/**
 * Display names of the services a graph talks to, from its nodes' titles ("Send message (Slack)"
 * → Slack); HTTP Request nodes count as "HTTP".
 */
export function appsOf(graph: Record<string, unknown>, catalog: NodeCatalog): string[] {
  const apps = new Set<string>();
  for (const node of nodesOf(graph)) {
    const def = catalog.get(node.type, node.version ?? 1);
    if (!def) continue;
    const named = /\(([^()]+)\)\s*$/.exec(def.title)?.[1];
    if (named && def.category !== 'flow' && def.category !== 'data') apps.add(named.replace(/,.*$/, '').trim());
    else if (def.id === 'core.http_request') apps.add('HTTP');
  }
  return [...apps].sort((a, b) => a.localeCompare(b));
}
