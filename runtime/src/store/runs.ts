import { sql, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { DEFAULT_WORKSPACE_ID, type Database, type Run } from '@apiq/db';
import { queryPrepared } from './prepared.ts';
import { Batcher } from './batcher.ts';
import { retryTransient } from './retry-transient.ts';
import { executorChannel, HANDOFF_LEASE_MS, HANDOFF_PAYLOAD_MAX_BYTES } from './handoff.ts';

export const RUN_QUEUED_CHANNEL = 'apiq_run_queued';
export const RUN_EVENT_CHANNEL = 'apiq_run_event';
/** Cancel and pause requests for running runs: the executor holding the run reacts at once. */
export const RUN_CONTROL_CHANNEL = 'apiq_run_control';

export interface EnqueueRequest {
  workflowId: string;
  versionId: string;
  workspaceId?: string;
  triggerKind: string;
  triggerPayload: unknown;
  idempotencyKey?: string | null;
  parentRunId?: string | null;
  availableAt?: Date;
  /**
   * The caller answers its client only once the run's response (or end) is committed, with a
   * flushed write that covers this insert. Such runs are handed straight to the executor named
   * in `enqueueRuns`' `handoff` when it is live (see handoff.ts), and a batch of only such runs
   * commits without waiting for its own WAL flush.
   */
  awaited?: boolean;
  /**
   * With `awaited`: the caller keeps the request until the run answers and records the run itself
   * (`recordHandedRun`) if it hears nothing in time, so the run may be handed over unrecorded and
   * inserted by the executor's first write (see handoff.ts). Not for runs with an idempotency key,
   * whose deduplication needs the row, nor for workflows with a concurrency limit, which counts rows.
   */
  deferInsert?: boolean;
}

export interface EnqueueResult {
  runId: string;
  /** False when an earlier delivery with the same idempotency key already created the run. */
  created: boolean;
  /** The executor the new run was handed to, when it was (else it was queued). */
  handedTo?: string;
  /**
   * Handed over before it was recorded: the caller must call `recordHandedRun` if it hears
   * nothing of the run within `RECORD_HANDED_RUN_AFTER_MS`.
   */
  unrecorded?: true;
}

/** An executor counts as live for handoffs while its heartbeat is this recent. */
const HANDOFF_LIVE_MS = 30_000;

/**
 * Creates a queued run and wakes the executors, in one statement (so one transaction):
 * once this returns, the run is durable and will be executed.
 */
export async function enqueueRun(db: Kysely<Database>, req: EnqueueRequest, pool?: pg.Pool): Promise<EnqueueResult> {
  return (await enqueueRuns(db, [req], pool))[0]!;
}

/**
 * Creates several queued runs in one statement and wakes the executors once. A request whose
 * idempotency key was already used (now or within the same batch) gets the existing run.
 * With `handoff`, `awaited` requests go straight to that executor when it is live: those that
 * allow it (`deferInsert`) unrecorded, the others inserted already leased to it.
 */
export async function enqueueRuns(
  db: Kysely<Database>,
  reqs: EnqueueRequest[],
  pool?: pg.Pool,
  /** Where `awaited` requests go; they are queued when the executor is not live. */
  handoff?: { executorId: string; leaseMs?: number },
): Promise<EnqueueResult[]> {
  if (!handoff) return insertRuns(db, reqs, pool);
  const deferred = reqs.map((r) => (mayHandOffUnrecorded(r) ? unrecordedRow(r, handoff.executorId) : undefined));
  const sendable = deferred.filter((row) => row !== undefined);
  const sent =
    sendable.length > 0 &&
    (await handOffUnrecorded(
      db,
      sendable.map((row) => row.json),
      handoff.executorId,
      pool,
    ));
  if (!sent) return insertRuns(db, reqs, pool, handoff);
  const rest = reqs.filter((_, i) => !deferred[i]);
  const inserted = rest.length > 0 ? await insertRuns(db, rest, pool, handoff) : [];
  return deferred.map((row) =>
    row ? { runId: row.id, created: true, handedTo: handoff.executorId, unrecorded: true as const } : inserted.shift()!,
  );
}

function mayHandOffUnrecorded(r: EnqueueRequest): boolean {
  return r.awaited === true && r.deferInsert === true && !r.availableAt && !r.idempotencyKey && !r.parentRunId;
}

/**
 * The row an unrecorded run would have had, as JSON, as its handoff announces it (the database
 * adds the times); undefined when it would not fit in a notification.
 */
function unrecordedRow(r: EnqueueRequest, executorId: string): { id: string; json: string } | undefined {
  const id = randomUUID();
  const json = JSON.stringify({
    id,
    workspace_id: r.workspaceId ?? DEFAULT_WORKSPACE_ID,
    workflow_id: r.workflowId,
    version_id: r.versionId,
    status: 'running',
    trigger_kind: r.triggerKind,
    trigger_payload: r.triggerPayload ?? null,
    output: null,
    error: null,
    response: null,
    idempotency_key: null,
    parent_run_id: null,
    lease_owner: executorId,
    lease_token: 1,
    recoveries: 0,
    cancel_requested: false,
    state: null,
    finished_at: null,
    unrecorded: true,
  });
  // A first cut: the four times the database adds take ~180 bytes, and handOffUnrecorded checks
  // the exact size.
  return Buffer.byteLength(json) + 200 <= HANDOFF_PAYLOAD_MAX_BYTES ? { id, json } : undefined;
}

/**
 * Announces unrecorded runs on a live executor's channel. All or none are sent: none when the
 * executor has not been heard of lately, or when one row is too large for a notification.
 */
async function handOffUnrecorded(
  db: Kysely<Database>,
  /** Each run's row as JSON (`unrecordedRow`). */
  rows: string[],
  executorId: string,
  pool?: pg.Pool,
): Promise<boolean> {
  // A notification gets a transaction id, so its commit would wait for a WAL flush; nothing is
  // recorded here that a flush would protect.
  const query = sql<{ sent: number }>`
    with live as (
      select 1 from executors e
      where e.id = ${executorId}::text and e.heartbeat_at > now() - ${HANDOFF_LIVE_MS} * interval '1 millisecond'),
    x as (
      select (x || jsonb_build_object('created_at', now(), 'available_at', now(), 'started_at', now(),
                   'lease_until', now() + ${HANDOFF_LEASE_MS} * interval '1 millisecond'))::text as j
      from jsonb_array_elements(${`[${rows.join(',')}]`}::jsonb) as x),
    n as (
      select pg_notify(${executorChannel(executorId)}::text, j) from x
      where exists (select 1 from live)
        -- The text form of jsonb is longer than JSON.stringify's (a space after each comma and colon).
        and (select bool_and(octet_length(j) <= ${HANDOFF_PAYLOAD_MAX_BYTES}) from x)),
    flush as (select set_config('synchronous_commit', 'off', true) as mode)
    select (select count(*) from n)::int as sent, (select mode from flush) as flush`;
  const result = await retryTransient(async () =>
    pool ? await queryPrepared(pool, db, query) : (await query.execute(db)).rows,
  );
  return Number(result[0]?.sent ?? 0) > 0;
}

/**
 * Records a run handed over unrecorded that has not been heard of in time, queued (the same row,
 * fencing token 1, so a claim moves it to 2). Returns false when the executor recorded it first.
 */
export async function recordHandedRun(db: Kysely<Database>, runId: string, req: EnqueueRequest): Promise<boolean> {
  const res = await sql<{ id: string }>`
    with r as (
      insert into runs (id, workspace_id, workflow_id, version_id, trigger_kind, trigger_payload, lease_token)
      values (${runId}::uuid, ${req.workspaceId ?? DEFAULT_WORKSPACE_ID}::uuid, ${req.workflowId}::uuid, ${req.versionId}::uuid,
              ${req.triggerKind}, ${JSON.stringify(req.triggerPayload ?? null)}::jsonb, 1)
      on conflict (id) do nothing
      returning id)
    select id, pg_notify(${RUN_QUEUED_CHANNEL}, '') from r`.execute(db);
  return res.rows.length > 0;
}

/** `enqueueRuns` for requests that are inserted (queued, or leased to a live `handoff` executor). */
async function insertRuns(
  db: Kysely<Database>,
  reqs: EnqueueRequest[],
  pool?: pg.Pool,
  handoff?: { executorId: string; leaseMs?: number },
): Promise<EnqueueResult[]> {
  const rows = reqs.map((r) => ({
    id: randomUUID(),
    workspace_id: r.workspaceId ?? DEFAULT_WORKSPACE_ID,
    workflow_id: r.workflowId,
    version_id: r.versionId,
    trigger_kind: r.triggerKind,
    trigger_payload: r.triggerPayload ?? null,
    idempotency_key: r.idempotencyKey ?? null,
    parent_run_id: r.parentRunId ?? null,
    available_at: r.availableAt?.toISOString() ?? null,
    handoff: handoff !== undefined && r.awaited === true && !r.availableAt,
  }));
  // Rows with idempotency keys go in key order, so two concurrent batches wait on each other's
  // keys in the same order instead of deadlocking.
  const ordered = [...rows].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const executorId = handoff?.executorId ?? null;
  // Nobody hears of these runs before a later flushed commit (or, after a timeout, a re-read: the
  // WAL writer flushes within a second); so this commit need not wait for its own flush.
  const relaxed = reqs.every((r) => r.awaited === true);
  const query = sql<{ ids: string[] | null; handed: string[] | null }>`
    with live as (
      select e.id from executors e
      where e.id = ${executorId}::text and e.heartbeat_at > now() - ${HANDOFF_LIVE_MS} * interval '1 millisecond'),
    x as (
      select x.*, x.handoff and exists (select 1 from live) as h
      from jsonb_to_recordset(${JSON.stringify(ordered)}::jsonb) as x(id uuid, workspace_id uuid, workflow_id uuid, version_id uuid,
           trigger_kind text, trigger_payload jsonb, idempotency_key text, parent_run_id uuid, available_at timestamptz, handoff bool)),
    r as (
      insert into runs (id, workspace_id, workflow_id, version_id, trigger_kind, trigger_payload, idempotency_key, parent_run_id,
                        available_at, status, lease_owner, lease_until, lease_token, started_at)
      select x.id, x.workspace_id, x.workflow_id, x.version_id, x.trigger_kind, x.trigger_payload, x.idempotency_key, x.parent_run_id,
             coalesce(x.available_at, now()),
             case when x.h then 'running' else 'queued' end,
             case when x.h then ${executorId}::text end,
             case when x.h then now() + ${handoff?.leaseMs ?? HANDOFF_LEASE_MS} * interval '1 millisecond' end,
             case when x.h then 1 else 0 end,
             case when x.h then now() end
      from x
      on conflict (workflow_id, idempotency_key) where idempotency_key is not null do nothing
      returning *),
    announced as (
      select pg_notify(${executorId ? executorChannel(executorId) : null}::text, case when octet_length(j) <= ${HANDOFF_PAYLOAD_MAX_BYTES} then j
                                                 else json_build_object('id', id)::text end)
      from (select r.id, row_to_json(r)::text as j from r where r.status = 'running') h),
    c as (select array_agg(id) as ids, array_agg(id) filter (where status = 'running') as handed,
                 count(*) filter (where status = 'queued') as queued from r),
    flush as (select set_config('synchronous_commit', ${relaxed ? 'off' : 'on'}, true) as mode)
    select ids, handed, case when queued > 0 then pg_notify(${RUN_QUEUED_CHANNEL}, '') end,
      (select count(*) from announced) as announced, (select mode from flush) as flush
    from c`;
  const result = (
    await retryTransient(async () => (pool ? await queryPrepared(pool, db, query) : (await query.execute(db)).rows))
  )[0];
  const inserted = new Set(result?.ids ?? []);
  const handed = new Set(result?.handed ?? []);
  return Promise.all(
    rows.map(async (row) => {
      if (inserted.has(row.id))
        return { runId: row.id, created: true, ...(handed.has(row.id) ? { handedTo: executorId! } : {}) };
      const existing = await db
        .selectFrom('runs')
        .select('id')
        .where('workflow_id', '=', row.workflow_id)
        .where('idempotency_key', '=', row.idempotency_key)
        .executeTakeFirstOrThrow();
      return { runId: existing.id, created: false };
    }),
  );
}

function keyOf(row: { workflow_id: string; idempotency_key: string | null }): string {
  return row.idempotency_key === null ? '' : `${row.workflow_id}:${row.idempotency_key}`;
}

/**
 * Groups concurrent enqueues into one statement (see `Batcher`): a burst of webhook deliveries
 * shares one insert, one commit and one notification.
 */
export class EnqueueBatcher {
  private readonly batcher: Batcher<EnqueueRequest, EnqueueResult>;

  constructor(
    db: Kysely<Database>,
    pool?: pg.Pool,
    o: {
      maxBatch?: number;
      /** The executor that `awaited` requests of the next batch are handed to, if any. */
      pickExecutor?: () => string | undefined;
    } = {},
  ) {
    this.batcher = new Batcher(async (reqs) => {
      const executorId = reqs.some((r) => r.awaited) ? o.pickExecutor?.() : undefined;
      const results = await enqueueRuns(db, reqs, pool, executorId ? { executorId } : undefined);
      return results.map((value) => ({ status: 'fulfilled', value }));
    }, o.maxBatch ?? 100);
  }

  enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    return this.batcher.submit(req);
  }
}

/**
 * Claims and lease renewals commit without waiting for the WAL flush. This is safe: an executor
 * only acts on a claim through later writes, which are flushed (and a flush covers every earlier
 * commit), and all its writes are fenced by owner and token. If the database crashes before such
 * a flush, the claim is simply gone and the run is claimed again.
 */
const NO_FLUSH = sql`select set_config('synchronous_commit', 'off', true) is not null as ok`;

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  limit: number;
}

/** Claims queued runs whose time has come. Every claim bumps the fencing token. */
export async function claimQueuedRuns(db: Kysely<Database>, o: ClaimOptions, pool?: pg.Pool): Promise<Run[]> {
  const query = sql<Run>`
    with relaxed as (${NO_FLUSH})
    update runs set status = 'running', lease_owner = ${o.owner}, lease_until = now() + ${o.leaseMs} * interval '1 millisecond',
      lease_token = lease_token + 1, started_at = coalesce(started_at, now())
    where id in (
      select id from runs where status = 'queued' and available_at <= now()
      order by available_at, created_at limit ${o.limit} for update skip locked)
      and (select ok from relaxed)
    returning *`;
  return pool ? queryPrepared(pool, db, query) : (await query.execute(db)).rows;
}

/**
 * Claims runs whose executor stopped heartbeating. Each such claim counts one recovery:
 * the caller dead-letters a run that has killed its executors too often.
 */
export async function claimExpiredRuns(db: Kysely<Database>, o: ClaimOptions): Promise<Run[]> {
  const res = await sql<Run>`
    with relaxed as (${NO_FLUSH})
    update runs set lease_owner = ${o.owner}, lease_until = now() + ${o.leaseMs} * interval '1 millisecond',
      lease_token = lease_token + 1, recoveries = recoveries + 1
    where id in (
      select id from runs where status = 'running' and lease_until < now()
      order by lease_until limit ${o.limit} for update skip locked)
      and (select ok from relaxed)
    returning *`.execute(db);
  return res.rows;
}

/** Moves waiting runs whose wait has elapsed back to the queue. */
export async function wakeWaitingRuns(db: Kysely<Database>): Promise<number> {
  const res = await sql<{ n: number }>`
    with w as (
      update runs set status = 'queued'
      where id in (select id from runs where status = 'waiting' and available_at <= now() order by id for update skip locked)
      returning id),
    c as (select count(*)::int as n from w)
    select n, case when n > 0 then pg_notify(${RUN_QUEUED_CHANNEL}, '') end from c`.execute(db);
  return res.rows[0]?.n ?? 0;
}

export interface RunControl {
  cancelRequested: boolean;
  pauseRequested: boolean;
}

export interface HeartbeatResult {
  /** Runs whose lease we still hold, with their cancel and pause flags. */
  held: Map<string, RunControl>;
}

/**
 * Extends the leases of all runs this executor holds, in one statement. Rows are locked in id
 * order, as every multi-row write of the engine does, so two such statements cannot deadlock.
 */
export async function heartbeat(db: Kysely<Database>, owner: string, leaseMs: number): Promise<HeartbeatResult> {
  const res = await sql<{ id: string; cancel_requested: boolean; pause_requested: boolean | null }>`
    with relaxed as (${NO_FLUSH})
    update runs set lease_until = now() + ${leaseMs} * interval '1 millisecond'
    where id in (select id from runs where lease_owner = ${owner} and status = 'running' order by id for update)
      and (select ok from relaxed)
    returning id, cancel_requested, (state ->> 'pauseRequested')::boolean as pause_requested`.execute(db);
  return {
    held: new Map(
      res.rows.map((r) => [r.id, { cancelRequested: r.cancel_requested, pauseRequested: r.pause_requested === true }]),
    ),
  };
}

/** The current cancel and pause flags of runs this executor holds. */
export async function readRunControl(
  db: Kysely<Database>,
  owner: string,
  runIds: string[],
): Promise<Map<string, RunControl>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('runs')
    .select([
      'id',
      'cancel_requested',
      sql<boolean | null>`(state ->> 'pauseRequested')::boolean`.as('pause_requested'),
    ])
    .where('id', 'in', runIds)
    .where('lease_owner', '=', owner)
    .execute();
  return new Map(
    rows.map((r) => [r.id, { cancelRequested: r.cancel_requested, pauseRequested: r.pause_requested === true }]),
  );
}

/** Asks for a run to stop. Queued and waiting runs stop at once; running ones at their next step. */
export async function requestCancel(db: Kysely<Database>, runId: string): Promise<Run | undefined> {
  const res = await sql<Run>`
    with c as (
      update runs set
        cancel_requested = true,
        status = case when status in ('queued', 'waiting') then 'cancelled' else status end,
        finished_at = case when status in ('queued', 'waiting') then now() else finished_at end,
        error = case when status in ('queued', 'waiting') then '{"kind":"cancelled","name":"Cancelled","message":"Run cancelled"}'::jsonb else error end
      where id = ${runId} and status in ('queued', 'waiting', 'running')
      returning *)
    select c.*,
      case when c.status = 'running' then pg_notify(${RUN_CONTROL_CHANNEL}, c.id::text)
           else pg_notify(${RUN_EVENT_CHANNEL}, json_build_object('id', c.id, 'kind', 'finished', 'status', c.status)::text) end
    from c`.execute(db);
  return res.rows[0];
}

/**
 * Pauses a run. A queued or waiting run is parked at once; a running run finishes the step in
 * flight and parks before the next one. `resumeRun` continues it where it stopped.
 */
export async function pauseRun(db: Kysely<Database>, runId: string): Promise<boolean> {
  const res = await sql<{ id: string }>`
    with p as (
      update runs set
        status = case when status = 'running' then status else 'waiting' end,
        available_at = case when status = 'running' then available_at else 'infinity' end,
        state = coalesce(state, '{}'::jsonb) || case when status = 'running'
          then '{"pauseRequested":true}'::jsonb
          else jsonb_build_object('paused', true, 'pausedFrom', status) end
      where id = ${runId} and status in ('queued', 'waiting', 'running') and coalesce((state ->> 'paused')::boolean, false) = false
      returning id, status)
    select id, case when status = 'running' then pg_notify(${RUN_CONTROL_CHANNEL}, id::text) end from p`.execute(db);
  return res.rows.length > 0;
}

export async function resumeRun(db: Kysely<Database>, runId: string): Promise<boolean> {
  const res = await sql`
    with r as (
      update runs set status = 'queued', available_at = now(), state = state - 'paused' - 'pausedFrom'
      where id = ${runId} and status = 'waiting' and (state ->> 'paused')::boolean is true
      returning id)
    select pg_notify(${RUN_QUEUED_CHANNEL}, '') from r`.execute(db);
  return res.rows.length > 0;
}

/** Resumes a run parked on a Wait node in webhook mode; `token` comes from the resume URL. */
export async function resumeWaitingRun(
  db: Kysely<Database>,
  runId: string,
  token: string,
  payload: unknown,
): Promise<boolean> {
  const res = await sql`
    with r as (
      update runs set status = 'queued', available_at = now(),
        state = state || jsonb_build_object('resumePayload', ${JSON.stringify(payload ?? null)}::jsonb, 'resumeToken', null)
      where id = ${runId} and status = 'waiting' and state ->> 'resumeToken' = ${token}
      returning id)
    select pg_notify(${RUN_QUEUED_CHANNEL}, '') from r`.execute(db);
  return res.rows.length > 0;
}

/** Re-queues a failed run so it continues from the failed step (completed steps are kept). */
export async function retryRun(db: Kysely<Database>, runId: string): Promise<boolean> {
  const res = await sql`
    with r as (
      update runs set status = 'queued', available_at = now(), error = null, finished_at = null, cancel_requested = false,
        recoveries = 0, state = coalesce(state, '{}'::jsonb) || '{"retried":true}'::jsonb
      where id = ${runId} and status in ('failed', 'dead', 'cancelled')
      returning id)
    select pg_notify(${RUN_QUEUED_CHANNEL}, '') from r`.execute(db);
  return res.rows.length > 0;
}

export async function getRun(db: Kysely<Database>, runId: string): Promise<Run | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function listStepAttempts(db: Kysely<Database>, runId: string) {
  return db.selectFrom('step_attempts').selectAll().where('run_id', '=', runId).orderBy('id').execute();
}

/**
 * Whether a just-claimed run must wait for its workflow's concurrency limit: it yields to runs
 * of the same workflow that are running and started before it, so the oldest always proceed.
 */
export async function mustWaitForConcurrency(db: Kysely<Database>, run: Run, limit: number): Promise<boolean> {
  const res = await sql<{ n: number }>`
    select count(*)::int as n from runs
    where workflow_id = ${run.workflow_id} and status = 'running' and id <> ${run.id}
      and (started_at, id) < (${run.started_at}::timestamptz, ${run.id}::uuid)`.execute(db);
  return (res.rows[0]?.n ?? 0) >= limit;
}
