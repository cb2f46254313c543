import { z } from 'zod';
import { NODE_ID } from '@apiq/graph';
import { TEMPLATE_CATEGORY_IDS } from './categories.ts';

export const TEMPLATE_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** One connection a template needs: its credential kind, the nodes that use it, and why. */
export const RequiredCredentialSchema = z
  .object({
    kind: z.string().regex(/^[a-z][a-z0-9_]*$/, 'kind must be a credential kind id such as "slack" or "http_bearer"'),
    nodeIds: z.array(z.string().regex(NODE_ID, 'must be a node id of the workflow')).min(1, 'name at least one node'),
    why: z.string().trim().min(1, 'say what the connection is used for').max(500),
  })
  .strict();
export type RequiredCredential = z.infer<typeof RequiredCredentialSchema>;

/** `templates/<slug>/template.json`: what the gallery shows about a template. */
export const TemplateMetaSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(TEMPLATE_SLUG, 'id must be kebab-case, e.g. "github-issue-to-slack"').max(80),
    title: z.string().trim().min(1, 'title is required').max(120),
    description: z.string().trim().min(1, 'description is required').max(600),
    category: z.enum(TEMPLATE_CATEGORY_IDS, {
      error: `category must be one of ${TEMPLATE_CATEGORY_IDS.join(', ')}`,
    }),
    /** Display names of the services it talks to, e.g. ["GitHub", "Slack"]. */
    apps: z.array(z.string().trim().min(1).max(60)).max(12).default([]),
    requiredCredentials: z.array(RequiredCredentialSchema).default([]),
    /** Markdown: what to configure at each provider (webhook URL, scopes, ids to replace). */
    setupNotes: z.string().max(20_000).default(''),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    /** Offered first to new users (onboarding) and at the top of the gallery. */
    featured: z.boolean().optional(),
  })
  .strict();
export type TemplateMeta = z.infer<typeof TemplateMetaSchema>;
export type TemplateMetaInput = z.input<typeof TemplateMetaSchema>;

/** Where a template comes from: the repository's `templates/` folder, or saved in a workspace. */
export type TemplateSource = 'built-in' | 'workspace';

/** A template as the tools handle it: metadata plus the workflow graph (as stored, not yet validated). */
export interface Template {
  meta: TemplateMeta;
  graph: Record<string, unknown>;
  source: TemplateSource;
  /** Built-in: the folder it was read from (messages name its files). */
  dir?: string;
}
