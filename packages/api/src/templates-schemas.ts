import { z } from 'zod';
import { Id } from './schemas.ts';

/** Inputs of the `templates` procedures (the gallery, "Use template", workspace templates). */

export const TemplateId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a template id such as "github-issue-to-slack-and-trello"');

export const TemplateListInput = z
  .object({
    search: z.string().max(200).optional().describe('Words to find in title, description, apps and tags'),
    category: z.string().max(40).optional().describe('A category id, e.g. "engineering"'),
    app: z.string().max(60).optional().describe('An app name, e.g. "Slack"'),
  })
  .default({});

export const TemplateIdInput = z.object({ id: TemplateId });

export const TemplateUseInput = z.object({
  id: TemplateId,
  name: z.string().trim().min(1, 'name must not be empty').max(200).optional().describe('Default: the template title'),
  credentials: z
    .record(z.string(), Id)
    .default({})
    .describe('Connection id per credential kind the template needs, e.g. { "slack": "<connection id>" }'),
});

export const TemplateSaveFromWorkflowInput = z.object({
  workflowId: Id,
  title: z.string().trim().min(1, 'title must not be empty').max(120),
  description: z.string().trim().min(1, 'say in a sentence what the template does').max(600),
  category: z.string().min(1).max(40).describe('A category id, e.g. "operations"'),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  setupNotes: z.string().max(20_000).optional().describe('Markdown: what to configure before using it'),
});

export const TemplateImportInput = z.object({
  json: z
    .union([z.string().max(5_000_000), z.record(z.string(), z.unknown())])
    .describe('A template file ({ apiqTemplate: 1, meta, graph }) as JSON text or object'),
  fileName: z.string().max(200).optional().describe('Named in error messages'),
});
