import { procedure, router } from './trpc.ts';
import { ExplainInput, ExpressionPreviewInput, PlanInput, SettingsUpdateInput } from './schemas.ts';
import { catalogRouter } from './routers/catalog.ts';
import { workflowsRouter } from './routers/workflows.ts';
import { runsRouter } from './routers/runs.ts';
import { connectionsRouter } from './routers/connections.ts';
import { apisRouter } from './routers/apis.ts';
import { alertsRouter, monitoringRouter } from './routers/monitoring.ts';
import { previewExpression } from './services/expressions.ts';
import { getSettings, updateSettings } from './services/settings.ts';
import { templates } from './services/templates.ts';
import {
  TemplateIdInput,
  TemplateImportInput,
  TemplateListInput,
  TemplateSaveFromWorkflowInput,
  TemplateUseInput,
} from './templates-schemas.ts';
import { explain, plannerModel, proposeWorkflow } from './services/planner.ts';
import { plannerConversationProcedures } from './routers/planner-conversations.ts';

/** The app's tRPC API at `/api/trpc`. Every procedure works in the caller's workspace. */
export const appRouter = router({
  health: procedure.query(() => ({ status: 'ok' as const })),
  catalog: catalogRouter,
  workflows: workflowsRouter,
  runs: runsRouter,
  connections: connectionsRouter,
  apis: apisRouter,
  monitoring: monitoringRouter,
  alerts: alertsRouter,
  expressions: router({
    /**
     * `{ src, context: { trigger?, steps?, input?, item?, index? } }` → `{ ok: true, value }` or
     * `{ ok: false, error: { code, message, position } }`, evaluated like the engine does.
     */
    preview: procedure.input(ExpressionPreviewInput).query(({ input }) => previewExpression(input.src, input.context)),
  }),
  planner: router({
    /** `{ mode: 'model' | 'offline', model, source }`: which planner answers (the UI labels the offline one). */
    status: procedure.query(async ({ ctx }) => (await plannerModel(ctx)).status),
    /**
     * `{ message, current?, history? }` → a proposal: `{ planner, graph?, explanation[], summary, todo[],
     * credentials[], question?, issues[], status }`. Nothing is saved; the editor shows it as a preview.
     */
    propose: procedure.input(PlanInput).mutation(({ ctx, input }) => proposeWorkflow(ctx, input)),
    /** `{ graph }` → one line per step, in the order data flows. */
    explain: procedure.input(ExplainInput).query(({ ctx, input }) => explain(ctx, input.graph)),
    ...plannerConversationProcedures,
  }),
  settings: router({
    /** `{ planner: { baseUrl, model }, retention: { maxAgeDays, maxRunsPerWorkflow } }`. */
    get: procedure.query(({ ctx }) => getSettings(ctx)),
    /** Partial update; null clears a value (a retention limit of null keeps runs regardless). */
    update: procedure.input(SettingsUpdateInput).mutation(({ ctx, input }) => updateSettings(ctx, input)),
  }),
  templates: router({
    /** The gallery (built-in and workspace templates): `{ items: [card…], categories, apps }`. */
    list: procedure.input(TemplateListInput).query(({ ctx, input }) => templates.list(ctx, input)),
    /** Three templates to offer new users (onboarding). */
    featured: procedure.query(({ ctx }) => templates.featured(ctx)),
    /** One template: card, setup notes, graph. NOT_FOUND for an unknown id. */
    get: procedure.input(TemplateIdInput).query(({ ctx, input }) => templates.get(ctx, input.id)),
    /** Creates a workflow from a template with the chosen connections: `{ workflowId, saved, missing, … }`. */
    use: procedure.input(TemplateUseInput).mutation(({ ctx, input }) => templates.use(ctx, input)),
    /** Saves a workflow's graph as a workspace template (connection ids removed). BAD_REQUEST with issues when invalid. */
    saveFromWorkflow: procedure
      .input(TemplateSaveFromWorkflowInput)
      .mutation(({ ctx, input }) => templates.saveFromWorkflow(ctx, input)),
    /** Deletes a workspace template. */
    delete: procedure.input(TemplateIdInput).mutation(({ ctx, input }) => templates.delete(ctx, input.id)),
    /** `{ fileName, file }`: the template file to download. */
    export: procedure.input(TemplateIdInput).query(({ ctx, input }) => templates.export(ctx, input.id)),
    /** Imports a template file into the workspace; BAD_REQUEST with located issues when invalid. */
    import: procedure.input(TemplateImportInput).mutation(({ ctx, input }) => templates.import(ctx, input)),
  }),
});

export type AppRouter = typeof appRouter;
