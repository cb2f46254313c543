import { procedure, router } from '../trpc.ts';
import { IdInput, RunListInput, RunStartInput } from '../schemas.ts';
import { controlRun, getRunDetail, listRuns, startRun } from '../services/runs.ts';

/**
 * Runs. Live progress of one run: `GET /api/runs/<id>/events` (SSE: `snapshot`, `step`, `run`,
 * `finished`); of all runs: `GET /api/runs/stream`.
 */
export const runsRouter = router({
  /**
   * `{ workflowId, versionId?, input?, pinned?, startAt?, only?, fromRunId? }` → `{ runId, versionId }`.
   * Pinned nodes are not executed (their pinned value is their output). `startAt`: execute that
   * node and everything downstream, reusing `fromRunId`'s outputs (or pins) for the rest;
   * `only`: execute just that node.
   */
  start: procedure.input(RunStartInput).mutation(({ ctx, input }) => startRun(ctx, input)),
  /** `{ workflowId?, status?, from?, to?, cursor?, limit? }` → `{ items, nextCursor }`, newest first. */
  list: procedure.input(RunListInput.optional()).query(({ ctx, input }) => listRuns(ctx, input ?? {})),
  /** `{ id }` → run, its version's graph and every step attempt. */
  get: procedure.input(IdInput).query(({ ctx, input }) => getRunDetail(ctx, input.id)),
  cancel: procedure.input(IdInput).mutation(({ ctx, input }) => controlRun(ctx, input.id, 'cancel')),
  /** Continues a failed, dead or cancelled run from its failed step. */
  retry: procedure.input(IdInput).mutation(({ ctx, input }) => controlRun(ctx, input.id, 'retry')),
  pause: procedure.input(IdInput).mutation(({ ctx, input }) => controlRun(ctx, input.id, 'pause')),
  resume: procedure.input(IdInput).mutation(({ ctx, input }) => controlRun(ctx, input.id, 'resume')),
});
