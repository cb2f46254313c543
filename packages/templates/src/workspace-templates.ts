import type { Kysely } from 'kysely';
import { jsonb, type Database } from '@apiq/db';
import type { NodeCatalog } from '@apiq/sdk';
import { TemplateMetaSchema, type Template, type TemplateMetaInput } from './template-schema.ts';
import { validateTemplate } from './validate-template.ts';
import { TemplateError } from './template-issues.ts';
import { appsOf, requiredCredentialsOf } from './describe-graph.ts';
import { withoutConnectionIds } from './template-file.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for ids of workspace templates (UUIDs); built-in templates have kebab-case slugs. */
export function isWorkspaceTemplateId(id: string): boolean {
  return UUID.test(id);
}

export interface SaveWorkflowAsTemplateInput {
  workspaceId: string;
  graph: Record<string, unknown>;
  title: string;
  description: string;
  category: string;
  tags?: string[];
  setupNotes?: string;
  /** The user saving it (null without accounts). */
  createdBy?: string | null;
}

/**
 * Saves a workflow graph as a template shared within the workspace. The connections its nodes
 * use become `requiredCredentials` (by kind) and their ids are removed; the apps are read from
 * the node types. Validated like any template first: nothing is stored when it does not pass
 * (TemplateError with located issues).
 *
 * @example
 * const template = await saveWorkflowAsTemplate(db, catalog, { workspaceId, graph, title: 'Orders', description: '…', category: 'sales' });
 */
export async function saveWorkflowAsTemplate(
  db: Kysely<Database>,
  catalog: NodeCatalog,
  input: SaveWorkflowAsTemplateInput,
): Promise<Template> {
  const graph = withoutConnectionIds(input.graph);
  graph.name = input.title;
  const meta: TemplateMetaInput = {
    // A placeholder id of the right shape; the row's id replaces it.
    id: '00000000-0000-4000-8000-000000000000',
    title: input.title,
    description: input.description,
    category: input.category as TemplateMetaInput['category'],
    apps: appsOf(input.graph, catalog),
    requiredCredentials: requiredCredentialsOf(input.graph, catalog),
    setupNotes: input.setupNotes ?? '',
    tags: input.tags ?? [],
  };
  return storeWorkspaceTemplate(db, catalog, input.workspaceId, { meta, graph }, input.createdBy ?? null);
}

/**
 * Validates a template (from a file or the workflow it was saved from) and stores it in the
 * workspace under a new id. Nothing is stored when it does not validate.
 */
export async function storeWorkspaceTemplate(
  db: Kysely<Database>,
  catalog: NodeCatalog,
  workspaceId: string,
  template: { meta: unknown; graph: Record<string, unknown> },
  createdBy: string | null = null,
): Promise<Template> {
  const graph = withoutConnectionIds(template.graph);
  const checked = validateTemplate({ meta: template.meta, graph }, catalog, { meta: 'template', graph: 'workflow' });
  if (!checked.ok) throw new TemplateError('The template is not valid:', checked.issues);
  const { id: _id, title, description, category, featured: _featured, ...rest } = checked.meta;
  const row = await db
    .insertInto('workspace_templates')
    .values({
      workspace_id: workspaceId,
      title,
      description,
      category,
      graph: jsonb(graph),
      metadata: jsonb(rest),
      created_by: createdBy,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return { meta: { ...rest, id: row.id, title, description, category }, graph, source: 'workspace' };
}

/** The workspace's own templates, newest first. */
export async function listWorkspaceTemplates(db: Kysely<Database>, workspaceId: string): Promise<Template[]> {
  const rows = await db
    .selectFrom('workspace_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(rowToTemplate);
}

/** One workspace template, or undefined when the workspace has none with this id. */
export async function getWorkspaceTemplate(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<Template | undefined> {
  if (!isWorkspaceTemplateId(id)) return undefined;
  const row = await db
    .selectFrom('workspace_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? rowToTemplate(row) : undefined;
}

/** Deletes a workspace template; false when there was none with this id. */
export async function deleteWorkspaceTemplate(db: Kysely<Database>, workspaceId: string, id: string): Promise<boolean> {
  if (!isWorkspaceTemplateId(id)) return false;
  const gone = await db
    .deleteFrom('workspace_templates')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return gone !== undefined;
}

function rowToTemplate(row: {
  id: string;
  title: string;
  description: string;
  category: string;
  graph: unknown;
  metadata: unknown;
}): Template {
  const meta = TemplateMetaSchema.parse({
    ...(row.metadata as Record<string, unknown>),
    id: row.id,
    title: row.title,
    description: row.description,
    category: row.category,
  });
  return { meta, graph: row.graph as Record<string, unknown>, source: 'workspace' };
}
