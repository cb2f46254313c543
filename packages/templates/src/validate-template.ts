import type { NodeCatalog } from '@apiq/sdk';
import { validateWorkflow, type WorkflowGraph } from '@apiq/graph';
import { TemplateMetaSchema, type TemplateMeta } from './template-schema.ts';
import { formatIssuePath, type TemplateIssue } from './template-issues.ts';
import { META_FILE, WORKFLOW_FILE } from './load-templates.ts';

export type TemplateValidation =
  | { ok: true; meta: TemplateMeta; graph: WorkflowGraph }
  | { ok: false; issues: TemplateIssue[] };

/** What to call the two parts in messages (an imported file has one name for both). */
export interface TemplateFiles {
  meta: string;
  graph: string;
}

/**
 * Checks a template against the installed catalog: its metadata schema, the graph validator
 * (node types, params, expressions, edges), no connection ids inside the graph, and the
 * connections it declares: every credential kind a node needs is declared for that node in
 * `requiredCredentials`, and every declared kind exists and is accepted by the nodes named.
 * Issues name the template, the file and the path.
 *
 * @example
 * const checked = validateTemplate(template, catalog);
 * if (!checked.ok) throw new TemplateError('Template is invalid:', checked.issues);
 */
export function validateTemplate(
  template: { meta: unknown; graph: unknown },
  catalog: NodeCatalog,
  files: TemplateFiles = { meta: META_FILE, graph: WORKFLOW_FILE },
): TemplateValidation {
  const issues: TemplateIssue[] = [];
  const rawId = (template.meta as { id?: unknown } | null)?.id;
  const name = typeof rawId === 'string' && rawId ? rawId : '(no id)';
  const at = (file: string, path: string, message: string) => issues.push({ template: name, file, path, message });

  const meta = TemplateMetaSchema.safeParse(template.meta);
  if (!meta.success) for (const i of meta.error.issues) at(files.meta, formatIssuePath(i.path), i.message);

  const checked = validateWorkflow(template.graph, catalog);
  if (!checked.ok) for (const e of checked.errors) at(files.graph, e.path, e.message);

  const nodes = graphNodes(template.graph);
  nodes.forEach((node, index) => {
    if (node.credentials !== undefined)
      at(
        files.graph,
        `nodes[${index}].credentials`,
        `node "${node.id}" names a connection id; templates must not: declare the kind in requiredCredentials (${files.meta}) and the user picks a connection when using the template`,
      );
  });

  if (meta.success) {
    const declared = new Map<string, Set<string>>();
    meta.data.requiredCredentials.forEach((req, i) => {
      const where = `requiredCredentials[${i}]`;
      const kind = catalog.credentialKind(req.kind);
      if (!kind) {
        const known = catalog
          .credentialKinds()
          .map((k) => k.id)
          .join(', ');
        at(files.meta, `${where}.kind`, `credential kind "${req.kind}" is not installed (installed: ${known})`);
      }
      if (declared.has(req.kind))
        at(
          files.meta,
          `${where}.kind`,
          `kind "${req.kind}" is declared twice: list every node using it in one entry (one connection per kind)`,
        );
      const forKind = declared.get(req.kind) ?? new Set<string>();
      declared.set(req.kind, forKind);
      req.nodeIds.forEach((nodeId, j) => {
        forKind.add(nodeId);
        const node = nodes.find((n) => n.id === nodeId);
        if (!node) return at(files.meta, `${where}.nodeIds[${j}]`, `there is no node "${nodeId}" in the workflow`);
        const def = typeof node.type === 'string' ? catalog.get(node.type, node.version ?? 1) : undefined;
        if (def && !def.credentials.some((c) => c.kind === req.kind))
          at(
            files.meta,
            `${where}.nodeIds[${j}]`,
            `node "${nodeId}" (${def.id}) does not take a "${req.kind}" connection; it takes: ${def.credentials.map((c) => c.kind).join(', ') || 'none'}`,
          );
      });
    });
    nodes.forEach((node, index) => {
      const def = typeof node.type === 'string' ? catalog.get(node.type, node.version ?? 1) : undefined;
      for (const need of def?.credentials.filter((c) => c.required) ?? [])
        if (!declared.get(need.kind)?.has(node.id))
          at(
            files.meta,
            'requiredCredentials',
            `node "${node.id}" (nodes[${index}], ${def!.id}) needs a "${need.kind}" connection: add { "kind": "${need.kind}", "nodeIds": ["${node.id}"], "why": "…" }`,
          );
    });
  }

  if (issues.length || !meta.success || !checked.ok) return { ok: false, issues };
  return { ok: true, meta: meta.data, graph: checked.graph };
}

interface LooseNode {
  id: string;
  type?: unknown;
  version?: number;
  credentials?: unknown;
}

function graphNodes(graph: unknown): LooseNode[] {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.filter(
    (n): n is LooseNode => typeof n === 'object' && n !== null && typeof (n as { id?: unknown }).id === 'string',
  );
}
