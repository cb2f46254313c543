import { procedure, router } from '../trpc.ts';
import {
  IdInput,
  VersionIdInput,
  WorkflowCreateInput,
  WorkflowDuplicateInput,
  WorkflowImportInput,
  WorkflowListInput,
  WorkflowRenameInput,
  WorkflowRestoreInput,
  WorkflowSaveInput,
  WorkflowSetActiveInput,
  WorkflowValidateInput,
} from '../schemas.ts';
import {
  createWorkflow,
  deleteWorkflow,
  duplicateWorkflow,
  getVersion,
  getWorkflow,
  listVersions,
  listWorkflows,
  renameWorkflow,
  restoreVersion,
  saveWorkflowGraph,
  setWorkflowActive,
  validateGraph,
} from '../services/workflows.ts';
import { exportWorkflow, importWorkflows } from '../services/transfer.ts';
import { triggerInfo } from '../services/trigger-info.ts';

/**
 * Workflows of the caller's workspace. Saving: a graph that validates becomes a new immutable
 * version; one that does not is kept as the workflow's draft (`saved: 'draft'` with `issues`),
 * so no edit is lost. Only saved versions run or activate.
 */
export const workflowsRouter = router({
  /** `{ search?, active? }` → summaries (id, name, active, updatedAt, nodeCount, triggerType, hasDraft, lastRun). */
  list: procedure.input(WorkflowListInput.optional()).query(({ ctx, input }) => listWorkflows(ctx, input ?? {})),
  /** `{ id }` → the workflow with `graph` (the draft if any, else the newest version), `versionId`, `draft`, `issues`. */
  get: procedure.input(IdInput).query(({ ctx, input }) => getWorkflow(ctx, input.id)),
  /** `{ name, graph? }` → SaveResult; without a graph the workflow starts empty (a draft). */
  create: procedure.input(WorkflowCreateInput).mutation(({ ctx, input }) => createWorkflow(ctx, input)),
  rename: procedure.input(WorkflowRenameInput).mutation(({ ctx, input }) => renameWorkflow(ctx, input.id, input.name)),
  duplicate: procedure
    .input(WorkflowDuplicateInput)
    .mutation(({ ctx, input }) => duplicateWorkflow(ctx, input.id, input.name)),
  delete: procedure.input(IdInput).mutation(({ ctx, input }) => deleteWorkflow(ctx, input.id)),
  /** `{ id, active }`; BAD_REQUEST with `issues` when no valid version exists, CONFLICT when the webhook path is taken. */
  setActive: procedure
    .input(WorkflowSetActiveInput)
    .mutation(({ ctx, input }) => setWorkflowActive(ctx, input.id, input.active)),
  /**
   * `{ id, graph, baseVersionId? }` → `{ saved: 'version' | 'unchanged' | 'draft', versionId, version, issues }`.
   * CONFLICT when `baseVersionId` is not the newest version any more.
   */
  save: procedure.input(WorkflowSaveInput).mutation(({ ctx, input }) => saveWorkflowGraph(ctx, input)),
  /** `{ graph }` → `{ ok, issues }` (each issue located: path, nodeId, edgeId, param). */
  validate: procedure.input(WorkflowValidateInput).query(({ ctx, input }) => validateGraph(ctx, input.graph)),
  versions: procedure.input(IdInput).query(({ ctx, input }) => listVersions(ctx, input.id)),
  version: procedure.input(VersionIdInput).query(({ ctx, input }) => getVersion(ctx, input.versionId)),
  /** `{ id, versionId }` → a new version equal to the old one. */
  restore: procedure
    .input(WorkflowRestoreInput)
    .mutation(({ ctx, input }) => restoreVersion(ctx, input.id, input.versionId)),
  /** `{ id }` → an export bundle (the `apiq export` format). */
  export: procedure.input(IdInput).query(({ ctx, input }) => exportWorkflow(ctx, input.id)),
  /** `{ json, activate? }`: a bundle or one graph; all or nothing. */
  import: procedure
    .input(WorkflowImportInput)
    .mutation(({ ctx, input }) => importWorkflows(ctx, input.json, input.activate)),
  /** `{ id }` → webhook URL and method, next schedule times, or manual. */
  triggerInfo: procedure.input(IdInput).query(({ ctx, input }) => triggerInfo(ctx, input.id)),
});
