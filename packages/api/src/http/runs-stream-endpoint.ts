import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../trpc.ts';
import { durationMs, iso } from '../json.ts';
import { SseStream } from './sse.ts';
import type { RunStreams } from './run-streams.ts';

/** How often running runs are read to announce the ones that started. */
export const STARTED_POLL_MS = 1000;

/**
 * `GET /api/runs/stream[?workflowId=…]`: run-level activity of the workspace as server-sent
 * events, for the monitoring page. `run` events: `{ kind: 'started' | 'waiting' | 'finished', id,
 * workflowId, status, startedAt, finishedAt, durationMs }`. `finished` is sent for every run;
 * `started` for runs seen running (read every second: a run shorter than that may only be
 * reported finished).
 */
export async function streamRuns(
  ctx: ApiContext,
  streams: RunStreams,
  req: IncomingMessage,
  res: ServerResponse,
  options: { keepAliveMs?: number; pollMs?: number; workflowId?: string } = {},
): Promise<void> {
  const sse = new SseStream(req, res, options.keepAliveMs);
  streams.open++;
  sse.onClose(() => streams.open--);
  const announced = new Set<string>();
  const pending = new Map<string, 'waiting' | 'finished'>();
  let flushing: NodeJS.Timeout | undefined;

  const emit = (kind: string, r: RunRow) => {
    if (options.workflowId && r.workflow_id !== options.workflowId) return;
    sse.send('run', {
      kind,
      id: r.id,
      workflowId: r.workflow_id,
      status: r.status,
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      durationMs: durationMs(r.started_at, r.finished_at),
    });
  };
  // Events name only the run; rows are read in batches to add the workflow and timings.
  const flush = async () => {
    flushing = undefined;
    const batch = new Map(pending);
    pending.clear();
    if (batch.size === 0 || sse.isClosed) return;
    const rows = await runRows(ctx)
      .where('id', 'in', [...batch.keys()])
      .execute();
    for (const r of rows) {
      const kind = batch.get(r.id)!;
      if (kind === 'finished') announced.delete(r.id);
      emit(kind, r);
    }
  };
  const remove = streams.onRun((e) => {
    if (e.kind !== 'finished' && e.kind !== 'waiting') return;
    pending.set(e.id, e.kind);
    flushing ??= setTimeout(() => void flush().catch(() => undefined), 50);
  });
  sse.onClose(() => {
    remove();
    clearTimeout(flushing);
  });

  const pollStarted = async () => {
    const rows = await runRows(ctx).where('status', '=', 'running').execute();
    const running = new Set(rows.map((r) => r.id));
    for (const id of announced) if (!running.has(id)) announced.delete(id);
    for (const r of rows) {
      if (announced.has(r.id)) continue;
      announced.add(r.id);
      emit('started', r);
    }
  };
  const timer = setInterval(() => void pollStarted().catch(() => undefined), options.pollMs ?? STARTED_POLL_MS);
  sse.onClose(() => clearInterval(timer));
  sse.comment('connected');
  await pollStarted();
}

type RunRow = {
  id: string;
  workflow_id: string;
  status: string;
  started_at: Date | null;
  finished_at: Date | null;
};

function runRows(ctx: ApiContext) {
  return ctx.db
    .selectFrom('runs')
    .select(['id', 'workflow_id', 'status', 'started_at', 'finished_at'])
    .where('workspace_id', '=', ctx.workspaceId);
}
