import type { IncomingMessage, ServerResponse } from 'node:http';
import { stepEventOf, type StepEvent } from '@apiq/runtime';
import type { ApiContext } from '../trpc.ts';
import { ApiError } from '../errors.ts';
import { durationMs, iso } from '../json.ts';
import { SseStream } from './sse.ts';
import type { RunStreams } from './run-streams.ts';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'dead']);
/** How often the steps of a run that publishes no step events are read. */
export const STEP_POLL_MS = 500;

type StepState = Omit<StepEvent, 'runId'>;

/**
 * `GET /api/runs/<id>/events`: live progress of one run as server-sent events.
 *
 * - `snapshot` `{ run, steps }` first (from the database), again when the run finishes;
 * - `step` for each step change (StepEvent: stepId, iteration, attempt, status, itemCount, timings, error);
 * - `run` `{ status }` when the run parks (waiting) or is queued again;
 * - `finished` `{ id, status, durationMs }`, then the stream ends.
 *
 * Runs started from the editor or the API publish step events; for other runs the step rows are
 * read every 500 ms while the run is active.
 */
export async function streamRunEvents(
  ctx: ApiContext,
  streams: RunStreams,
  runId: string,
  req: IncomingMessage,
  res: ServerResponse,
  options: { keepAliveMs?: number; pollMs?: number } = {},
): Promise<void> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId))
    throw new ApiError('bad_request', `"${runId}" is not a run id (a UUID).`, [
      { path: 'path.id', message: 'not a UUID' },
    ]);
  const first = await readRun(ctx, runId);
  if (!first) throw new ApiError('not_found', `No run ${runId} in this workspace.`);

  const sse = new SseStream(req, res, options.keepAliveMs);
  streams.open++;
  sse.onClose(() => streams.open--);
  const known = new Map<string, StepState>();
  const keyOf = (s: StepState) => `${s.stepId}#${s.iteration}#${s.attempt}`;
  let buffered: StepEvent[] | undefined = [];
  let ending = false;

  const deliver = (e: StepEvent) => {
    const { runId: _runId, ...step } = e;
    const k = keyOf(step);
    const prev = known.get(k);
    // A late "running" for an attempt already known to be over changes nothing.
    if (prev && prev.finishedAt !== null && step.finishedAt === null) return;
    known.set(k, step);
    sse.send('step', step);
  };
  const finish = async () => {
    if (ending || sse.isClosed) return;
    ending = true;
    const run = await readRun(ctx, runId);
    if (!run) return sse.close();
    sse.send('snapshot', run.snapshot);
    sse.send('finished', { id: runId, status: run.snapshot.run.status, durationMs: run.snapshot.run.durationMs });
    sse.close();
  };

  const removeRun = streams.onRun((e) => {
    if (e.id !== runId) return;
    if (e.kind === 'finished') void finish().catch(() => sse.close());
    else if (e.kind === 'waiting') sse.send('run', { status: 'waiting' });
  });
  sse.onClose(removeRun);
  if (first.editorRun) {
    const removeStep = await streams.onStep((e) => {
      if (e.runId !== runId) return;
      if (buffered) buffered.push(e);
      else deliver(e);
    });
    sse.onClose(removeStep);
  }
  if (sse.isClosed) return;

  // Snapshot after subscribing, so nothing falls between the two.
  const current = await readRun(ctx, runId);
  if (!current) return sse.close();
  for (const s of current.steps) known.set(keyOf(s), s);
  sse.send('snapshot', current.snapshot);
  const pending = buffered ?? [];
  buffered = undefined;
  for (const e of pending) deliver(e);
  if (FINISHED.has(current.snapshot.run.status)) return finish();

  if (!current.editorRun) {
    const poll = setInterval(() => {
      void (async () => {
        const now = await readRun(ctx, runId);
        if (!now) return sse.close();
        for (const s of now.steps) {
          const prev = known.get(keyOf(s));
          if (!prev || prev.status !== s.status || prev.finishedAt !== s.finishedAt) deliver({ runId, ...s });
        }
        if (FINISHED.has(now.snapshot.run.status)) await finish();
      })().catch(() => undefined);
    }, options.pollMs ?? STEP_POLL_MS);
    sse.onClose(() => clearInterval(poll));
  }
}

async function readRun(ctx: ApiContext, runId: string) {
  const run = await ctx.db
    .selectFrom('runs as r')
    .select([
      'r.id',
      'r.workflow_id',
      'r.status',
      'r.created_at',
      'r.started_at',
      'r.finished_at',
      'r.error',
      'r.state',
    ])
    .where('r.id', '=', runId)
    .where('r.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!run) return undefined;
  const rows = await ctx.db
    .selectFrom('step_attempts')
    .select([
      'step_id',
      'iteration',
      'attempt',
      'status',
      'node_type',
      'output',
      'ports',
      'error',
      'started_at',
      'finished_at',
      'duration_ms',
    ])
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
  const steps = rows.map((r) =>
    stepEventOf({
      ...r,
      ports: (r.ports as string[] | null) ?? null,
      started_at: iso(r.started_at)!,
      finished_at: iso(r.finished_at),
      duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
    }),
  );
  const state = (run.state ?? {}) as { editor?: unknown; paused?: boolean };
  const e = run.error as { name?: unknown; message?: unknown; stepId?: unknown } | null;
  return {
    editorRun: Boolean(state.editor),
    steps,
    snapshot: {
      run: {
        id: run.id,
        workflowId: run.workflow_id,
        status: run.status,
        paused: state.paused === true,
        createdAt: iso(run.created_at),
        startedAt: iso(run.started_at),
        finishedAt: iso(run.finished_at),
        durationMs: durationMs(run.started_at, run.finished_at),
        error: e
          ? { name: String(e.name ?? 'Error'), message: String(e.message ?? ''), stepId: e.stepId ?? null }
          : null,
      },
      steps,
    },
  };
}
