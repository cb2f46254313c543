import { z } from 'zod';
import type { NodeCatalog } from '@apiq/sdk';
import type { Template } from './template-schema.ts';
import { validateTemplate } from './validate-template.ts';
import { formatIssuePath, TemplateError } from './template-issues.ts';

/** The file a template is exported to and imported from: `{ apiqTemplate: 1, meta, graph }`. */
export interface TemplateFile {
  apiqTemplate: 1;
  meta: Template['meta'];
  graph: Record<string, unknown>;
}

const TemplateFileShape = z
  .object({
    apiqTemplate: z.literal(1, { error: 'apiqTemplate must be 1 (the template file format version)' }),
    meta: z.record(z.string(), z.unknown(), { error: 'meta must be an object: the template metadata' }),
    graph: z.record(z.string(), z.unknown(), { error: 'graph must be an object: the workflow graph' }),
  })
  .strict();

/**
 * The template as a file to share: metadata and graph, with every connection id removed (the
 * importing workspace picks its own connections).
 *
 * @example
 * const text = JSON.stringify(toTemplateFile(template), null, 2);
 */
export function toTemplateFile(template: Template): TemplateFile {
  return { apiqTemplate: 1, meta: structuredClone(template.meta), graph: withoutConnectionIds(template.graph) };
}

/** A copy of the graph without `credentials` on its nodes. */
export function withoutConnectionIds(graph: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(graph);
  if (Array.isArray(copy.nodes))
    for (const node of copy.nodes as Array<Record<string, unknown>>) {
      if (node && typeof node === 'object') delete node.credentials;
    }
  return copy;
}

/**
 * Reads a template file (JSON text or the parsed object), checks its shape and validates the
 * template against the catalog. Throws a TemplateError whose issues say where each problem is:
 * `meta.category`, `graph.nodes[1].params.url`, … Nothing is stored here.
 *
 * @example
 * const template = parseTemplateFile(await file.text(), catalog, file.name);
 */
export function parseTemplateFile(input: string | unknown, catalog: NodeCatalog, fileName = 'template file'): Template {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (err) {
      throw new TemplateError(`${fileName} is not valid JSON: ${(err as Error).message}`, [
        { template: '(unknown)', file: fileName, path: '', message: `not valid JSON: ${(err as Error).message}` },
      ]);
    }
  }
  const shape = TemplateFileShape.safeParse(data);
  if (!shape.success) {
    const issues = shape.error.issues.map((i) => ({
      template: '(unknown)',
      file: fileName,
      path: formatIssuePath(i.path),
      message: i.message,
    }));
    throw new TemplateError(
      `${fileName} is not an APIQ template file ({ "apiqTemplate": 1, "meta": {…}, "graph": {…} }); export one from the template gallery.`,
      issues,
    );
  }
  // Validate with the part names as "files", then fold them into paths of the one file.
  const checked = validateTemplate({ meta: shape.data.meta, graph: shape.data.graph }, catalog, {
    meta: 'meta',
    graph: 'graph',
  });
  if (!checked.ok) {
    const issues = checked.issues.map((i) => ({
      ...i,
      file: fileName,
      path: i.path ? `${i.file}${i.path.startsWith('[') ? '' : '.'}${i.path}` : i.file,
    }));
    throw new TemplateError(`${fileName} does not hold a valid template:`, issues);
  }
  return { meta: checked.meta, graph: shape.data.graph, source: 'workspace' };
}
