import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { queryPrepared } from '../store/prepared.ts';
import { Batcher } from '../store/batcher.ts';
import { retryTransient } from '../store/retry-transient.ts';
import type { Database, Run, StepStatus } from '@apiq/db';
import { RUN_EVENT_CHANNEL } from '../store/runs.ts';

/** One step attempt as the engine records it. */
export interface StepRow {
  step_id: string;
  iteration: string;
  attempt: number;
  status: StepStatus;
  node_type: string;
  input: unknown;
  output: unknown;
  ports: string[] | null;
  error: unknown;
  logs: unknown;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

/** Changes to the run row committed together with step rows. */
export interface RunChange {
  status?: 'queued' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'dead';
  output?: unknown;
  error?: unknown;
  response?: unknown;
  state?: Record<string, unknown> | null;
  /** Milliseconds from now until the run may be claimed again (queued/waiting). */
  availableInMs?: number | 'never';
  /** Release the lease (the run leaves this executor). */
  release?: boolean;
  finished?: boolean;
  /** Event sent to listeners (webhook callers, the CLI) after commit. */
  event?: { kind: 'response' | 'finished' | 'waiting'; status: string; response?: unknown };
}

export class LeaseLostError extends Error {
  constructor(runId: string, unrecorded = false) {
    super(
      unrecorded
        ? `run ${runId} was recorded and queued by the web process that handed it over before this executor recorded it; stopping here, it runs from the queue`
        : `lease on run ${runId} was lost (another executor took it over); stopping here`,
    );
    this.name = 'LeaseLostError';
  }
}

const MAX_NOTIFY_BYTES = 7000;

export interface Fence {
  runId: string;
  owner: string;
  token: number;
  /**
   * The run was handed over unrecorded (store/handoff.ts): the next write inserts it, from this
   * row, and holds only if that insert does (the web process may have recorded it first). Cleared
   * once a write held. The recorded run is leased for `leaseMs`, as by a claim.
   */
  record?: { run: Run; leaseMs: number };
}

/** One run's writes: step rows and an optional change to the run row. */
export interface RunWrite {
  fence: Fence;
  rows: StepRow[];
  change?: RunChange;
  /**
   * Commit without waiting for the WAL flush. Only for "step started" markers: they are visible
   * to other executors at once (what crash recovery needs); a database crash may lose one, and
   * the step then simply runs again. Every later write of the run is flushed and covers it.
   */
  relaxed?: boolean;
}

/**
 * Writes step rows and run changes in ONE statement fenced by the lease token: if another
 * executor has claimed the run since, nothing is written for it and LeaseLostError is thrown.
 */
export async function commitRunWrites(
  db: Kysely<Database>,
  fence: Fence,
  rows: StepRow[],
  change?: RunChange,
  /** When given (outside a transaction), the statement runs prepared on this pool. */
  pool?: pg.Pool,
): Promise<void> {
  const unrecorded = fence.record !== undefined;
  const [ok] = await commitWrites(db, [{ fence, rows, ...(change ? { change } : {}) }], pool);
  if (!ok) throw new LeaseLostError(fence.runId, unrecorded);
}

/**
 * The writes of several runs in one statement (one round trip, one commit, one WAL flush).
 * Returns, per write, whether its fence held. At most one write per run may be in a batch.
 */
export async function commitWrites(db: Kysely<Database>, writes: RunWrite[], pool?: pg.Pool): Promise<boolean[]> {
  const query = commitWritesQuery(writes);
  const out = await retryTransient(async () =>
    pool ? await queryPrepared(pool, db, query) : (await query.execute(db)).rows,
  );
  const held = new Set(out[0]?.ok ?? []);
  return writes.map((w) => {
    if (!held.has(w.fence.runId)) return false;
    delete w.fence.record;
    return true;
  });
}

/** The one statement `commitWrites` runs (exported so its plan can be checked). */
export function commitWritesQuery(writes: RunWrite[]): RawBuilder<{ ok: string[] | null }> {
  const runs = writes.map(({ fence, change }) => ({
    run_id: fence.runId,
    owner: fence.owner,
    token: fence.token,
    changed: change !== undefined,
    status: change?.status ?? null,
    set_output: change !== undefined && 'output' in change,
    output: change?.output ?? null,
    set_error: change !== undefined && 'error' in change,
    error: change?.error ?? null,
    set_response: change !== undefined && 'response' in change,
    response: change?.response ?? null,
    set_state: change !== undefined && 'state' in change,
    state: change?.state ?? null,
    available_never: change?.availableInMs === 'never',
    available_ms: typeof change?.availableInMs === 'number' ? change.availableInMs : null,
    release: change?.release === true,
    finished: change?.finished === true,
    event: change?.event ? eventPayload(fence.runId, change.event) : null,
    record: fence.record ? recordOf(fence.record.run, fence.record.leaseMs) : null,
  }));
  const steps = writes.flatMap(({ fence, rows }) => rows.map((r) => ({ run_id: fence.runId, ...r })));
  // The id list lets the planner use the primary key: it cannot see how few rows `b` holds.
  const ids = writes.map((w) => w.fence.runId);
  const relaxed = writes.every((w) => w.relaxed === true);
  const query = sql<{ ok: string[] | null }>`
    with b as (
      select * from jsonb_to_recordset(${JSON.stringify(runs)}::jsonb) as b(run_id uuid, owner text, token int, changed bool,
        status text, set_output bool, output jsonb, set_error bool, error jsonb, set_response bool, response jsonb,
        set_state bool, state jsonb, available_never bool, available_ms float8, release bool, finished bool, event text,
        record jsonb)
    ),
    locked as (
      select r.id from runs r join b on b.run_id = r.id and r.lease_token = b.token and r.lease_owner = b.owner
      where r.id = any(${ids}::uuid[])
      order by r.id
      for update of r
    ),
    recorded as (
      insert into runs (id, workspace_id, workflow_id, version_id, status, trigger_kind, trigger_payload, output, error, response,
                        state, available_at, lease_owner, lease_until, lease_token, created_at, started_at, finished_at)
      select b.run_id, (b.record->>'workspace_id')::uuid, (b.record->>'workflow_id')::uuid, (b.record->>'version_id')::uuid,
             coalesce(b.status, 'running'), b.record->>'trigger_kind', b.record->'trigger_payload',
             case when b.set_output then b.output end, case when b.set_error then b.error end,
             case when b.set_response then b.response end, case when b.set_state then b.state end,
             case when b.available_never then 'infinity'
                  when b.available_ms is not null then now() + b.available_ms * interval '1 millisecond'
                  else (b.record->>'created_at')::timestamptz end,
             case when b.release then null else b.owner end,
             case when b.release then null else now() + (b.record->>'lease_ms')::float8 * interval '1 millisecond' end,
             b.token, (b.record->>'created_at')::timestamptz, (b.record->>'started_at')::timestamptz,
             case when b.finished then now() end
      from b
      -- A workflow deleted meanwhile takes its runs with it; this one is simply not recorded.
      where b.record is not null and exists (select 1 from workflow_versions v where v.id = (b.record->>'version_id')::uuid)
      on conflict (id) do nothing
      returning id
    ),
    ok as (select id from locked union all select id from recorded),
    ins as (
      insert into step_attempts (run_id, step_id, iteration, attempt, status, node_type, input, output, ports, error, logs, started_at, finished_at, duration_ms)
      select x.run_id, x.step_id, x.iteration, x.attempt, x.status, x.node_type, x.input, x.output, x.ports, x.error, x.logs,
             x.started_at, x.finished_at, x.duration_ms
      from jsonb_to_recordset(${steps.length > 0 ? JSON.stringify(steps) : '[]'}::jsonb) as x(run_id uuid, step_id text, iteration text,
           attempt int, status text, node_type text, input jsonb, output jsonb, ports jsonb, error jsonb, logs jsonb,
           started_at timestamptz, finished_at timestamptz, duration_ms int)
      where x.run_id in (select id from ok)
      on conflict (run_id, step_id, iteration, attempt) do update set
        status = excluded.status, output = excluded.output, ports = excluded.ports, error = excluded.error,
        logs = excluded.logs, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms
      returning 1
    ),
    upd as (
      update runs r set
        status = coalesce(b.status, r.status),
        output = case when b.set_output then b.output else r.output end,
        error = case when b.set_error then b.error else r.error end,
        response = case when b.set_response then b.response else r.response end,
        state = case when b.set_state then b.state else r.state end,
        available_at = case when b.available_never then 'infinity'
                            when b.available_ms is not null then now() + b.available_ms * interval '1 millisecond'
                            else r.available_at end,
        lease_owner = case when b.release then null else r.lease_owner end,
        lease_until = case when b.release then null else r.lease_until end,
        finished_at = case when b.finished then now() else r.finished_at end
      from b where r.id = any(${ids}::uuid[]) and r.id = b.run_id and b.changed and r.id in (select id from locked)
      returning r.id
    ),
    n as (select pg_notify(${RUN_EVENT_CHANNEL}, b.event) from b where b.event is not null and b.run_id in (select id from ok)),
    flush as (select set_config('synchronous_commit', ${relaxed ? 'off' : 'on'}, true) as mode)
    select (select array_agg(id) from ok) as ok, (select count(*) from n) as notified, (select count(*) from upd) as updated,
      (select mode from flush) as flush`;
  return query;
}

/**
 * Combines the writes of concurrently running runs into one statement (see `Batcher`); two
 * writes of the same run never share a statement, so each run's writes stay in order.
 */
export class WriteBatcher {
  private readonly batcher: Batcher<RunWrite, void>;

  constructor(db: Kysely<Database>, pool?: pg.Pool, maxBatch = 64) {
    this.batcher = new Batcher(
      async (writes) => {
        const unrecorded = writes.map((w) => w.fence.record !== undefined);
        const held = await commitWrites(db, writes, pool);
        return writes.map((w, i) =>
          held[i]
            ? { status: 'fulfilled', value: undefined }
            : { status: 'rejected', reason: new LeaseLostError(w.fence.runId, unrecorded[i]) },
        );
      },
      maxBatch,
      (w) => w.fence.runId,
    );
  }

  write(write: RunWrite): Promise<void> {
    return this.batcher.submit(write);
  }
}

/** What the insert of an unrecorded run takes from its row; the write supplies the rest. */
function recordOf(run: Run, leaseMs: number) {
  return {
    workspace_id: run.workspace_id,
    workflow_id: run.workflow_id,
    version_id: run.version_id,
    trigger_kind: run.trigger_kind,
    trigger_payload: run.trigger_payload,
    created_at: run.created_at,
    started_at: run.started_at,
    lease_ms: leaseMs,
  };
}

function eventPayload(id: string, event: NonNullable<RunChange['event']>): string {
  const full = JSON.stringify({ id, ...event });
  if (full.length <= MAX_NOTIFY_BYTES) return full;
  // Too large for NOTIFY: listeners read the response from the run row instead.
  return JSON.stringify({ id, kind: event.kind, status: event.status, large: true });
}
