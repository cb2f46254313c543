import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { queryPrepared } from '../store/prepared.ts';
import type { Database, StepStatus } from '@apiq/db';
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
  constructor(runId: string) {
    super(`lease on run ${runId} was lost (another executor took it over); stopping here`);
    this.name = 'LeaseLostError';
  }
}

const MAX_NOTIFY_BYTES = 7000;

/**
 * Writes step rows and run changes in ONE statement fenced by the lease token: if another
 * executor has claimed the run since, nothing is written and LeaseLostError is thrown.
 */
export async function commitRunWrites(
  db: Kysely<Database>,
  fence: { runId: string; owner: string; token: number },
  rows: StepRow[],
  change?: RunChange,
  /** When given (outside a transaction), the statement runs prepared on this pool. */
  pool?: pg.Pool,
): Promise<void> {
  const steps = rows.length > 0 ? JSON.stringify(rows) : null;
  const sets: RawBuilder<unknown>[] = [];
  if (change) {
    if (change.status) sets.push(sql`status = ${change.status}`);
    if ('output' in change) sets.push(sql`output = ${json(change.output)}::jsonb`);
    if ('error' in change) sets.push(sql`error = ${json(change.error)}::jsonb`);
    if ('response' in change) sets.push(sql`response = ${json(change.response)}::jsonb`);
    if ('state' in change)
      sets.push(sql`state = ${change.state === null ? null : JSON.stringify(change.state)}::jsonb`);
    if (change.availableInMs === 'never') sets.push(sql`available_at = 'infinity'`);
    else if (change.availableInMs !== undefined)
      sets.push(sql`available_at = now() + ${change.availableInMs} * interval '1 millisecond'`);
    if (change.release) sets.push(sql`lease_owner = null, lease_until = null`);
    if (change.finished) sets.push(sql`finished_at = now()`);
  }
  const event = change?.event ? eventPayload(fence.runId, change.event) : null;
  const query = sql<{ ok: number }>`
    with ok as (
      select id from runs where id = ${fence.runId} and lease_token = ${fence.token} and lease_owner = ${fence.owner} for update
    ),
    ins as (
      insert into step_attempts (run_id, step_id, iteration, attempt, status, node_type, input, output, ports, error, logs, started_at, finished_at, duration_ms)
      select ${fence.runId}::uuid, x.step_id, x.iteration, x.attempt, x.status, x.node_type, x.input, x.output, x.ports, x.error, x.logs,
             x.started_at, x.finished_at, x.duration_ms
      from jsonb_to_recordset(${steps}::jsonb) as x(step_id text, iteration text, attempt int, status text, node_type text, input jsonb,
           output jsonb, ports jsonb, error jsonb, logs jsonb, started_at timestamptz, finished_at timestamptz, duration_ms int)
      where exists (select 1 from ok)
      on conflict (run_id, step_id, iteration, attempt) do update set
        status = excluded.status, output = excluded.output, ports = excluded.ports, error = excluded.error,
        logs = excluded.logs, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms
      returning 1
    )
    ${sets.length > 0 ? sql`, upd as (update runs set ${sql.join(sets)} where id in (select id from ok) returning id)` : sql``}
    select count(*)::int as ok ${event ? sql`, pg_notify(${RUN_EVENT_CHANNEL}, ${event})` : sql``} from ok`;
  const rowsOut = pool ? await queryPrepared(pool, db, query) : (await query.execute(db)).rows;
  if ((rowsOut[0]?.ok ?? 0) === 0) throw new LeaseLostError(fence.runId);
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function eventPayload(id: string, event: NonNullable<RunChange['event']>): string {
  const full = JSON.stringify({ id, ...event });
  if (full.length <= MAX_NOTIFY_BYTES) return full;
  // Too large for NOTIFY: listeners read the response from the run row instead.
  return JSON.stringify({ id, kind: event.kind, status: event.status, large: true });
}
