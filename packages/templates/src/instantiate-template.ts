import type { Template, RequiredCredential } from './template-schema.ts';
import { layoutGraph } from './layout.ts';
import { TemplateError } from './template-issues.ts';

export interface InstantiateOptions {
  /** Connection id chosen for each credential kind of `requiredCredentials`. */
  credentialChoices: Record<string, string>;
  /** The new workflow's name (default: the template's title). */
  name?: string;
}

export interface InstantiatedTemplate {
  /** The graph to save as a new workflow: connections set on the nodes that need them, positions filled in. */
  graph: Record<string, unknown>;
  /** Required connections no choice was given for: the nodes run once one is picked on the canvas. */
  missing: RequiredCredential[];
}

/**
 * Turns a template into a workflow graph ready to save: each node named in `requiredCredentials`
 * gets the chosen connection id of that kind, nodes without a position get one from the preview
 * layout, and the graph takes the given name. The template itself is not changed. A choice for a
 * kind the template does not declare is an error (a typo would otherwise go unnoticed).
 *
 * @example
 * const { graph } = instantiateTemplate(template, { credentialChoices: { slack: connectionId } });
 * await createWorkflow(ctx, { name: graph.name, graph });
 */
export function instantiateTemplate(template: Template, options: InstantiateOptions): InstantiatedTemplate {
  const required = template.meta.requiredCredentials;
  const unknown = Object.keys(options.credentialChoices).filter((kind) => !required.some((r) => r.kind === kind));
  if (unknown.length)
    throw new TemplateError(
      `Template "${template.meta.id}" does not use ${unknown.map((k) => `"${k}"`).join(', ')} connections; it needs: ${required.map((r) => r.kind).join(', ') || 'none'}.`,
    );
  const graph = structuredClone(template.graph);
  const nodes = Array.isArray(graph.nodes) ? (graph.nodes as Array<Record<string, unknown>>) : [];
  const edges = Array.isArray(graph.edges) ? (graph.edges as Array<{ source: string; target: string }>) : [];
  const layout = layoutGraph(
    nodes.map((n) => String(n.id)),
    edges,
  );
  for (const node of nodes) {
    const at = layout.get(String(node.id));
    if (!node.position && at) node.position = { x: at.x, y: at.y };
    for (const req of required) {
      const connectionId = options.credentialChoices[req.kind];
      if (connectionId && req.nodeIds.includes(String(node.id)))
        node.credentials = { ...(node.credentials as Record<string, string> | undefined), [req.kind]: connectionId };
    }
  }
  graph.name = (options.name ?? template.meta.title).trim().slice(0, 200) || template.meta.title;
  if (graph.description === undefined) graph.description = template.meta.description;
  return { graph, missing: required.filter((r) => !options.credentialChoices[r.kind]) };
}
