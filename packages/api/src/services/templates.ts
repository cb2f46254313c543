import { join } from 'node:path';
import { findProjectRoot } from '@apiq/catalog';
import {
  builtInTemplates,
  deleteWorkspaceTemplate,
  describeTemplate,
  filterTemplates,
  getWorkspaceTemplate,
  instantiateTemplate,
  isWorkspaceTemplateId,
  listWorkspaceTemplates,
  loadTemplates,
  parseTemplateFile,
  pickFeatured,
  saveWorkflowAsTemplate,
  storeWorkspaceTemplate,
  summarizeTemplate,
  TEMPLATE_CATEGORIES,
  TemplateError,
  toTemplateFile,
  type Template,
  type TemplateDetail,
  type TemplateFile,
  type TemplateFilter,
  type TemplateSummary,
} from '@apiq/templates';
import type { ApiContext } from '../trpc.ts';
import { ApiError, type ApiIssue } from '../errors.ts';
import { connections } from './connections.ts';
import { createWorkflow, getWorkflow, type SaveResult } from './workflows.ts';

const templatesDir = () => join(findProjectRoot(), 'templates');

export interface TemplateInfo {
  /** The folder name, e.g. `github-issue-to-slack-and-trello`. */
  id: string;
  name: string;
  description: string | null;
  graph: Record<string, unknown>;
}

/**
 * The repository's built-in templates as `{ id, name, description, graph }`, sorted by id (the
 * REST `GET /templates` shape); an empty list when there are none.
 */
export async function listTemplates(dir = templatesDir()): Promise<TemplateInfo[]> {
  return (await loadTemplates(dir)).map((t) => ({
    id: t.meta.id,
    name: t.meta.title,
    description: t.meta.description,
    graph: t.graph,
  }));
}

export interface TemplateList {
  items: TemplateSummary[];
  /** Every category with how many templates it has (before filtering), for the filter bar. */
  categories: Array<{ id: string; title: string; count: number }>;
  /** Every app used by some template, sorted. */
  apps: string[];
}

/** Built-in templates (valid against the installed nodes; featured first) then the workspace's own, newest first. */
async function allTemplates(ctx: ApiContext): Promise<Template[]> {
  const builtIn = await builtInTemplates(templatesDir(), ctx.catalog);
  return [
    ...pickFeatured(builtIn.templates, builtIn.templates.length),
    ...(await listWorkspaceTemplates(ctx.db, ctx.workspaceId)),
  ];
}

async function findTemplate(ctx: ApiContext, id: string): Promise<Template> {
  const found = isWorkspaceTemplateId(id)
    ? await getWorkspaceTemplate(ctx.db, ctx.workspaceId, id)
    : (await builtInTemplates(templatesDir(), ctx.catalog)).templates.find((t) => t.meta.id === id);
  if (!found) throw new ApiError('not_found', `No template "${id}" in the gallery or this workspace.`);
  return found;
}

/** TemplateErrors (located template issues) as a bad request the editor can show. */
async function asApiErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    const issues: ApiIssue[] = err.issues.map((i) => ({
      path: [i.file, i.path].filter(Boolean).join(': '),
      message: i.message,
    }));
    throw new ApiError('bad_request', err.message.split('\n')[0]!, issues);
  }
}

export const templates = {
  /**
   * The gallery: cards matching the filter, plus the categories and apps to filter by.
   *
   * @example
   * await templates.list(ctx, { search: 'slack', category: 'engineering' });
   */
  async list(ctx: ApiContext, filter: TemplateFilter): Promise<TemplateList> {
    const all = await allTemplates(ctx);
    const counts = new Map<string, number>();
    for (const t of all) counts.set(t.meta.category, (counts.get(t.meta.category) ?? 0) + 1);
    return {
      items: filterTemplates(all, filter).map((t) => summarizeTemplate(t, ctx.catalog)),
      categories: TEMPLATE_CATEGORIES.map((c) => ({ id: c.id, title: c.title, count: counts.get(c.id) ?? 0 })),
      apps: [...new Set(all.flatMap((t) => t.meta.apps))].sort((a, b) => a.localeCompare(b)),
    };
  },

  /** Three templates to offer a new user (onboarding). */
  async featured(ctx: ApiContext): Promise<TemplateSummary[]> {
    const builtIn = await builtInTemplates(templatesDir(), ctx.catalog);
    return pickFeatured(builtIn.templates, 3).map((t) => summarizeTemplate(t, ctx.catalog));
  },

  /** One template with its setup notes and graph. */
  async get(ctx: ApiContext, id: string): Promise<TemplateDetail> {
    return describeTemplate(await findTemplate(ctx, id), ctx.catalog);
  },

  /**
   * "Use template": copies it into a new workflow of the workspace with the chosen connections,
   * saved through the same path as `workflows.create`. Each connection must exist in the
   * workspace and be of the kind it is chosen for. Returns the workflow id and the required
   * connections still missing (the user picks them on the canvas).
   */
  async use(
    ctx: ApiContext,
    input: { id: string; name?: string | undefined; credentials: Record<string, string> },
  ): Promise<SaveResult & { missing: Array<{ kind: string; nodeIds: string[] }> }> {
    const template = await findTemplate(ctx, input.id);
    const chosen = Object.entries(input.credentials);
    if (chosen.length) {
      const existing = new Map((await connections.list(ctx)).map((c) => [c.id, c]));
      const issues: ApiIssue[] = [];
      for (const [kind, id] of chosen) {
        const connection = existing.get(id);
        if (!connection)
          issues.push({ path: `input.credentials.${kind}`, message: `no connection ${id} in this workspace` });
        else if (connection.kind !== kind)
          issues.push({
            path: `input.credentials.${kind}`,
            message: `connection "${connection.name}" is a ${connection.kind} connection, not ${kind}`,
          });
      }
      if (issues.length)
        throw new ApiError(
          'bad_request',
          `The connections chosen for template "${template.meta.id}" do not fit.`,
          issues,
        );
    }
    const { graph, missing } = await asApiErrors(async () =>
      instantiateTemplate(template, {
        credentialChoices: input.credentials,
        ...(input.name ? { name: input.name } : {}),
      }),
    );
    const saved = await createWorkflow(ctx, { name: String(graph.name), graph });
    return { ...saved, missing: missing.map((m) => ({ kind: m.kind, nodeIds: m.nodeIds })) };
  },

  /** Saves a workflow of the workspace (its current graph) as a workspace template. */
  async saveFromWorkflow(
    ctx: ApiContext,
    input: {
      workflowId: string;
      title: string;
      description: string;
      category: string;
      tags?: string[] | undefined;
      setupNotes?: string | undefined;
    },
  ): Promise<TemplateSummary> {
    const workflow = await getWorkflow(ctx, input.workflowId);
    const saved = await asApiErrors(() =>
      saveWorkflowAsTemplate(ctx.db, ctx.catalog, {
        workspaceId: ctx.workspaceId,
        graph: workflow.graph,
        title: input.title,
        description: input.description,
        category: input.category,
        ...(input.tags ? { tags: input.tags } : {}),
        ...(input.setupNotes !== undefined ? { setupNotes: input.setupNotes } : {}),
      }),
    );
    return summarizeTemplate(saved, ctx.catalog);
  },

  /** Deletes a workspace template (built-in ones cannot be deleted). */
  async delete(ctx: ApiContext, id: string): Promise<{ id: string; deleted: true }> {
    if (!isWorkspaceTemplateId(id))
      throw new ApiError('bad_request', `Template "${id}" is built in; only workspace templates can be deleted.`);
    if (!(await deleteWorkspaceTemplate(ctx.db, ctx.workspaceId, id)))
      throw new ApiError('not_found', `No template ${id} in this workspace.`);
    return { id, deleted: true };
  },

  /** The template as a file to download: `{ fileName, file }`, without connection ids. */
  async export(ctx: ApiContext, id: string): Promise<{ fileName: string; file: TemplateFile }> {
    const template = await findTemplate(ctx, id);
    const slug =
      template.meta.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60) || 'template';
    return { fileName: `${slug}.apiq-template.json`, file: toTemplateFile(template) };
  },

  /** Validates a template file and stores it as a workspace template; nothing is stored when it is invalid. */
  async import(ctx: ApiContext, input: { json: string | Record<string, unknown>; fileName?: string | undefined }) {
    const stored = await asApiErrors(async () => {
      const template = parseTemplateFile(input.json, ctx.catalog, input.fileName ?? 'template file');
      return storeWorkspaceTemplate(ctx.db, ctx.catalog, ctx.workspaceId, template);
    });
    return summarizeTemplate(stored, ctx.catalog);
  },
};
