import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TemplateMetaSchema, type Template } from './template-schema.ts';
import { formatIssuePath, TemplateError, type TemplateIssue } from './template-issues.ts';

export const META_FILE = 'template.json';
export const WORKFLOW_FILE = 'workflow.json';
export const PREVIEW_FILE = 'preview.svg';

/**
 * Reads every template folder under `dir` (`<slug>/template.json` + `<slug>/workflow.json`),
 * sorted by id. Folders without a template.json are ignored. Unreadable or malformed files throw
 * a TemplateError naming the template, file and path; graphs are checked by `validateTemplate`.
 *
 * @example
 * const templates = await loadTemplates(join(findProjectRoot(), 'templates'));
 */
export async function loadTemplates(dir: string): Promise<Template[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const templates: Template[] = [];
  const issues: TemplateIssue[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = join(dir, entry.name);
    const metaText = await readOptional(join(folder, META_FILE));
    if (metaText === undefined) continue;
    const read = readTemplateFolder(entry.name, folder, metaText, await readOptional(join(folder, WORKFLOW_FILE)));
    if ('issues' in read) issues.push(...read.issues);
    else templates.push(read.template);
  }
  if (issues.length) throw new TemplateError(`Templates in ${dir} could not be read:`, issues);
  return templates;
}

function readTemplateFolder(
  slug: string,
  folder: string,
  metaText: string,
  workflowText: string | undefined,
): { template: Template } | { issues: TemplateIssue[] } {
  const issues: TemplateIssue[] = [];
  const at = (file: string, path: string, message: string) => issues.push({ template: slug, file, path, message });
  const meta = parseJson(metaText, (m) => at(META_FILE, '', m));
  const graph =
    workflowText === undefined
      ? void at(WORKFLOW_FILE, '', `missing: add the workflow graph as ${slug}/${WORKFLOW_FILE}`)
      : parseJson(workflowText, (m) => at(WORKFLOW_FILE, '', m));
  const parsed = meta === undefined ? undefined : TemplateMetaSchema.safeParse(meta);
  if (parsed && !parsed.success) for (const i of parsed.error.issues) at(META_FILE, formatIssuePath(i.path), i.message);
  if (parsed?.success && parsed.data.id !== slug)
    at(META_FILE, 'id', `id "${parsed.data.id}" must equal the folder name "${slug}"`);
  if (graph !== undefined && (typeof graph !== 'object' || graph === null || Array.isArray(graph)))
    at(WORKFLOW_FILE, '', 'must be a JSON object: the workflow graph { name, nodes, edges }');
  if (issues.length || !parsed?.success) return { issues };
  return { template: { meta: parsed.data, graph: graph as Record<string, unknown>, source: 'built-in', dir: folder } };
}

function parseJson(text: string, fail: (message: string) => void): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    fail(`is not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
