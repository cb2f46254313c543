import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { hasExpressions, resolveParams, type IRStep } from '@apiq/graph';
import { createSafeFetch, type SafeFetch } from '@apiq/http';
import {
  NodeError,
  serializeError,
  type Json,
  type NodeCatalog,
  type NodeDefinition,
  type SerializedError,
} from '@apiq/sdk';
import { invokeDefinition } from '../engine/invocation.ts';
import { listen, type Unlisten } from '../store/listen.ts';
import { enqueueRun } from '../store/runs.ts';
import { createLogger, type Log } from '../log.ts';
import { loadStepCredentials, redactResult, type CredentialResolver } from '../credentials/index.ts';

export interface PollerOptions {
  db: Kysely<Database>;
  pool: pg.Pool;
  catalog: NodeCatalog;
  log?: Log;
  /** How often polling workflows are re-read from the database besides change notifications. Default 10 s. */
  syncMs?: number;
  /** Clock used to keep polls on their interval (tests may pass their own). */
  now?: () => number;
  /** Polls this instance runs at the same time (each holds a connection while it runs). Default 4. */
  concurrency?: number;
  /** Decrypts the credentials a polling trigger references (`createCredentialResolver` from `@apiq/vault`). */
  resolveCredentials?: CredentialResolver;
}

export type PollOutcome =
  /** The poll ran: one run per returned item was enqueued, together with the new state. */
  | { status: 'polled'; runIds: string[]; stateChanged: boolean }
  /** Another poller holds this workflow right now; this round is skipped. */
  | { status: 'busy' }
  /** The workflow is not active, or its active version has no polling trigger. */
  | { status: 'inactive' }
  /** The poll failed; nothing was written and the next interval tries again. */
  | { status: 'failed'; error: SerializedError };

export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
export const MIN_POLL_INTERVAL_SECONDS = 5;
const MAX_FIRST_POLL_JITTER_MS = 5_000;

interface PollingWorkflow {
  workflow_id: string;
  workspace_id: string;
  version_id: string;
  step: IRStep;
}

interface Watch {
  workflowId: string;
  versionId: string;
  intervalMs: number;
  dueAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Runs polling triggers. Every active workflow whose trigger polls is polled on its
 * `intervalSeconds` (default 60, at least 5). Any number of pollers may run (one per worker):
 * a transaction-scoped advisory lock lets one of them poll a workflow at a time, and the runs
 * for the returned items are enqueued in the same transaction that stores the trigger's new
 * state — so a crash loses or repeats no item.
 *
 * @example
 * const poller = new Poller({ db, pool, catalog, log });
 * await poller.start();
 * // ...
 * await poller.stop();
 */
export class Poller {
  private readonly log: Log;
  private readonly now: () => number;
  private readonly fetch: SafeFetch;
  private readonly watches = new Map<string, Watch>();
  private readonly concurrency: number;
  private active = 0;
  private readonly queue: Array<() => void> = [];
  /** Polls started by timers, including those of workflows dropped since. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private unlisten?: Unlisten;
  private timer?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private abort = new AbortController();
  private stopped = true;
  /** Polls this instance completed, and runs it enqueued. */
  polls = 0;
  enqueued = 0;

  constructor(private readonly o: PollerOptions) {
    this.log = o.log ?? createLogger({ component: 'poller' });
    this.now = o.now ?? Date.now;
    this.fetch = createSafeFetch();
    this.concurrency = Math.max(1, o.concurrency ?? 4);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.abort = new AbortController();
    this.unlisten = await listen(this.o.pool, { apiq_workflows: () => void this.sync() }, (err) =>
      this.log.warn('poller lost its notification connection; reconnecting', { error: err.message }),
    );
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.o.syncMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops polling; a poll in flight is aborted and rolls back (its items come again next time). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.unlisten?.();
    this.unlisten = undefined;
    await this.syncing;
    for (const w of this.watches.values()) clearTimeout(w.timer);
    this.abort.abort(new NodeError('cancelled', 'the poller is stopping'));
    await Promise.all(this.inFlight);
    this.watches.clear();
    this.fetch.close();
  }

  /** Ids of the workflows this instance currently polls. */
  watching(): string[] {
    return [...this.watches.keys()];
  }

  /** Reconciles the polled workflows with the database. */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.doSync())
      .catch((err: Error) => this.log.error('polling trigger sync failed', { error: err.message }));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    if (this.stopped) return;
    const rows = await selectPollingWorkflows(this.o.db);
    const wanted = new Map(rows.map((r) => [r.workflow_id, r]));
    for (const [id, w] of this.watches) {
      const next = wanted.get(id);
      if (!next || next.version_id !== w.versionId || intervalMsOf(next.step) !== w.intervalMs) {
        clearTimeout(w.timer);
        this.watches.delete(id);
      }
    }
    for (const [id, row] of wanted) {
      if (this.watches.has(id) || this.stopped) continue;
      const intervalMs = intervalMsOf(row.step);
      const jitter = Math.floor(Math.random() * Math.min(intervalMs / 10, MAX_FIRST_POLL_JITTER_MS));
      const watch: Watch = { workflowId: id, versionId: row.version_id, intervalMs, dueAt: this.now() + jitter };
      this.watches.set(id, watch);
      this.arm(watch);
    }
  }

  private arm(w: Watch): void {
    w.timer = setTimeout(() => this.fire(w), Math.max(0, w.dueAt - this.now()));
    w.timer.unref();
  }

  private fire(w: Watch): void {
    if (this.stopped || this.watches.get(w.workflowId) !== w) return;
    // The next poll is due one interval after this one started, however long this one takes.
    w.dueAt = this.now() + w.intervalMs;
    const running: Promise<unknown> = this.limited(() => this.pollOnce(w.workflowId)).finally(() => {
      this.inFlight.delete(running);
      if (!this.stopped && this.watches.get(w.workflowId) === w) this.arm(w);
    });
    this.inFlight.add(running);
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  /**
   * Polls one workflow's trigger now. Skips (`busy`) when another poller holds the workflow.
   * Never throws: failures are logged and returned.
   */
  async pollOnce(workflowId: string): Promise<PollOutcome> {
    let outcome: PollOutcome;
    let nodeId: string | undefined;
    try {
      outcome = await this.o.db.transaction().execute(async (tx): Promise<PollOutcome> => {
        const lock = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(hashtext('apiq-poll:' || ${workflowId}::text)) as locked`.execute(tx);
        if (!lock.rows[0]?.locked) return { status: 'busy' };
        const wf = (await selectPollingWorkflows(tx, workflowId))[0];
        if (!wf) return { status: 'inactive' };
        const step = wf.step;
        nodeId = step.id;
        const def = this.o.catalog.get(step.type, step.version);
        if (!def)
          return failed(
            'UnknownNodeType',
            `node type ${step.type}@${step.version} is not installed on this worker; install it or deactivate workflow ${workflowId}`,
          );
        if (typeof def.poll !== 'function')
          return failed(
            'NotPollable',
            `node type ${step.type}@${step.version} declares trigger "polling" but has no poll function`,
          );
        const stored = await tx
          .selectFrom('node_state')
          .select('state')
          .where('workflow_id', '=', workflowId)
          .where('node_id', '=', step.id)
          .forUpdate()
          .executeTakeFirst();
        const params = await parsePollParams(def, step, workflowId);
        if (!params.ok) return failed('ParameterError', params.message);
        const creds = await loadStepCredentials(this.o.resolveCredentials, this.o.catalog, wf.workspace_id, step);
        if (!creds.ok) return { status: 'failed', error: creds.error };
        const invoked = await invokeDefinition(
          pollAsRun(def),
          {
            type: step.type,
            version: step.version,
            params: params.value,
            input: null,
            inputs: {},
            trigger: null,
            credentials: creds.values,
            idempotencyKey: `poll:${workflowId}:${step.id}:${randomUUID()}`,
            state: stored?.state as Json | undefined,
            run: { runId: '', workflowId, stepId: step.id, attempt: 1, iteration: '' },
            timeoutMs: step.policy.timeoutMs,
          },
          this.fetch,
          this.abort.signal,
        );
        const result = redactResult(invoked, creds.secrets);
        if (!result.ok) return { status: 'failed', error: result.error };
        const polled = (result.result as { output: { items: Json[]; cursor?: Json } }).output;
        const runIds: string[] = [];
        for (const item of polled.items) {
          const { runId } = await enqueueRun(tx, {
            workflowId,
            versionId: wf.version_id,
            workspaceId: wf.workspace_id,
            triggerKind: 'polling',
            triggerPayload: item,
          });
          runIds.push(runId);
        }
        // A returned cursor is the trigger's new state; otherwise whatever it set on ctx.state.
        const next =
          polled.cursor !== undefined
            ? { value: polled.cursor }
            : result.stateChanged
              ? { value: result.state ?? null }
              : undefined;
        if (next) {
          await sql`
            insert into node_state (workflow_id, node_id, state) values (${workflowId}, ${step.id}, ${JSON.stringify(next.value)}::jsonb)
            on conflict (workflow_id, node_id) do update set state = excluded.state, updated_at = now()`.execute(tx);
        }
        return { status: 'polled', runIds, stateChanged: next !== undefined };
      });
    } catch (err) {
      outcome = { status: 'failed', error: serializeError(err) };
    }
    if (outcome.status === 'failed') {
      this.log.warn('poll failed; retrying at the next interval', {
        workflowId,
        ...(nodeId ? { nodeId } : {}),
        error: `${outcome.error.name}: ${outcome.error.message}`,
      });
    } else if (outcome.status === 'polled') {
      this.polls++;
      this.enqueued += outcome.runIds.length;
      if (outcome.runIds.length)
        this.log.info('poll started runs', { workflowId, nodeId, runs: outcome.runIds.length });
    }
    return outcome;
  }
}

function failed(name: string, message: string): PollOutcome {
  return { status: 'failed', error: { kind: 'fatal', name, message } };
}

/** Active workflows whose active version starts with a polling trigger, with that trigger's step. */
async function selectPollingWorkflows(db: Kysely<Database>, workflowId?: string): Promise<PollingWorkflow[]> {
  const res = await sql<PollingWorkflow>`
    select w.id as workflow_id, w.workspace_id, w.active_version_id as version_id, v.ir -> 'steps' -> (v.ir ->> 'trigger') as step
    from workflows w join workflow_versions v on v.id = w.active_version_id
    where w.active and v.ir ->> 'triggerKind' = 'polling'
      ${workflowId === undefined ? sql`` : sql`and w.id = ${workflowId}`}`.execute(db);
  return res.rows.filter((r) => r.step && typeof r.step === 'object');
}

function intervalMsOf(step: IRStep): number {
  const raw = step.params.intervalSeconds;
  const seconds = typeof raw === 'number' && Number.isFinite(raw) ? raw : DEFAULT_POLL_INTERVAL_SECONDS;
  return Math.max(MIN_POLL_INTERVAL_SECONDS, seconds) * 1000;
}

type ParsedParams = { ok: true; value: unknown } | { ok: false; message: string };

/** Trigger params have no run to refer to: expressions see an empty input and no steps. */
async function parsePollParams(def: NodeDefinition, step: IRStep, workflowId: string): Promise<ParsedParams> {
  let raw: unknown = step.params;
  const where = `polling trigger "${step.id}" of workflow ${workflowId}`;
  if (hasExpressions(step.params)) {
    try {
      raw = await resolveParams(step.params, { trigger: null, input: null, steps: {}, run: { id: '', workflowId } });
    } catch (err) {
      return { ok: false, message: `${where}: ${(err as Error).message}` };
    }
  }
  const parsed = def.params.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const text = parsed.error.issues
    .map((i) => `params.${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, message: `${where} has invalid parameters: ${text}; fix them and activate the workflow again` };
}

/**
 * Presents `poll` as `run`, so the poll gets exactly the context, timeout, abort and state
 * handling of a step invocation. The poll result travels as the output.
 */
function pollAsRun(def: NodeDefinition): NodeDefinition {
  const poll = def.poll!;
  return {
    ...def,
    async run(ctx) {
      const result: unknown = await poll(ctx);
      const items = (result as { items?: unknown } | null)?.items;
      if (!Array.isArray(items)) {
        throw new NodeError(
          'fatal',
          `poll of node ${def.id} returned ${result === null ? 'null' : typeof result}${Array.isArray(result) ? ' (an array)' : ''} without an items list; expected { items: [...], cursor? }`,
        );
      }
      const cursor = (result as { cursor?: Json }).cursor;
      return { output: { items: items as Json[], ...(cursor === undefined ? {} : { cursor }) } };
    },
  };
}
