import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { NodeCatalog } from '@apiq/sdk';
import type { Database, Run } from '@apiq/db';
import {
  claimExpiredRuns,
  claimQueuedRuns,
  heartbeat,
  mustWaitForConcurrency,
  readRunControl,
  RUN_CONTROL_CHANNEL,
  RUN_QUEUED_CHANNEL,
  wakeWaitingRuns,
  type RunControl,
} from '../store/runs.ts';
import { loadVersionIR } from '../store/workflows.ts';
import { listen, type Unlisten } from '../store/listen.ts';
import { executorChannel, HANDOFF_LEASE_MS, parseHandoff } from '../store/handoff.ts';
import { createInvoker, type Invoker } from './invoker.ts';
import { RunExecution } from './run-execution.ts';
import { LeaseLostError, WriteBatcher, commitRunWrites, type Fence } from './step-writer.ts';
import { createLogger, type Log } from '../log.ts';
import type { CredentialResolver } from '../credentials/index.ts';
import type { EngineMetrics, ExecutorGauges } from '../metrics/engine-metrics.ts';
import { ConnectionLimiter } from '../limits/connection-limiter.ts';
import { CircuitBoard } from '../limits/circuit-board.ts';

/** How soon a run held back by its workflow's concurrency limit is tried again. */
const CONCURRENCY_RECHECK_MS = 200;

export interface ExecutorOptions {
  db: Kysely<Database>;
  pool: pg.Pool;
  catalog: NodeCatalog;
  /** Runs executing at once in this process. */
  concurrency?: number;
  /** How long a claim lasts without a heartbeat; after it, another executor takes the run over. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** Fallback poll for delayed runs and lost notifications. */
  pollMs?: number;
  invoker?: Invoker;
  threads?: number;
  log?: Log;
  id?: string;
  /** Decrypts the credentials a step references (`createCredentialResolver` from `@apiq/vault`). */
  resolveCredentials?: CredentialResolver;
  /** In-memory engine metrics (`createEngineMetrics`); publish them with a `MetricsPublisher`. */
  metrics?: EngineMetrics;
  /**
   * Connections' request limits (rate, burst, concurrency), shared with every other executor
   * through the database. On unless `false`; `{ maxWaitMs }` bounds a request's wait (default 60 s).
   */
  connectionLimits?: false | { maxWaitMs?: number };
  /** How often the circuit breaker states steps saw are published for the web process. Default 2 s. */
  circuitPublishMs?: number;
}

/**
 * Claims runs from Postgres and executes them. Many executors (processes, machines) may share one
 * database: claims use SKIP LOCKED, leases expire when an executor dies, and every write is fenced
 * by the lease token so a late writer can never overwrite the executor that took over.
 */
export class Executor {
  readonly id: string;
  private readonly db: Kysely<Database>;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly invoker: Invoker;
  private readonly ownsInvoker: boolean;
  private readonly log: Log;
  private readonly active = new Map<string, { execution?: RunExecution; done: Promise<void> }>();
  /** Runs handed to this executor while every slot was busy; they start as slots free up. */
  private backlog: Run[] = [];
  /** Runs handed to this executor unrecorded: their first write inserts them (store/handoff.ts). */
  private readonly unrecorded = new WeakSet<Run>();
  /** Unrecorded runs in the backlog whose record is being written; each starts once it is. */
  private readonly recording = new Map<string, Promise<void>>();
  private soonBeat: NodeJS.Timeout | undefined;
  private timers: NodeJS.Timeout[] = [];
  private unlisten?: Unlisten;
  private filling = false;
  /** A wake-up arrived while every slot was busy: claim again when one frees up. */
  private missedWakeup = false;
  private fillAgain = false;
  private stopping = false;
  private completed = 0;
  private readonly writer: WriteBatcher;
  private readonly gauges: ExecutorGauges;
  private readonly limiter: ConnectionLimiter | undefined;
  private readonly circuits: CircuitBoard;

  constructor(private readonly options: ExecutorOptions) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.db = options.db;
    this.concurrency = options.concurrency ?? 64;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.ownsInvoker = !options.invoker;
    this.invoker =
      options.invoker ??
      createInvoker({ catalog: options.catalog, ...(options.threads ? { threads: options.threads } : {}) });
    this.log = options.log ?? createLogger({ component: 'executor' });
    this.writer = new WriteBatcher(options.db, options.pool);
    this.limiter =
      options.connectionLimits === false
        ? undefined
        : new ConnectionLimiter({ db: options.db, pool: options.pool, owner: this.id, ...options.connectionLimits });
    this.circuits = new CircuitBoard({
      db: options.db,
      source: this.id,
      ...(options.circuitPublishMs ? { everyMs: options.circuitPublishMs } : {}),
    });
    this.gauges = {
      activeRuns: () => this.active.size,
      slots: this.concurrency,
      pool: () => this.invoker.stats?.(),
    };
  }

  get runsCompleted(): number {
    return this.completed;
  }

  get activeRuns(): number {
    return this.active.size;
  }

  async start(): Promise<void> {
    // Listening before registering: web processes hand runs only to registered executors.
    this.unlisten = await listen(
      this.options.pool,
      {
        [RUN_QUEUED_CHANNEL]: () => this.fill(),
        [RUN_CONTROL_CHANNEL]: (runId) => void this.control(runId),
        [executorChannel(this.id)]: (payload) => void this.adopt(payload),
      },
      (err) => this.log.warn('listen connection error', { error: err.message }),
    );
    await this.db
      .insertInto('executors')
      .values({ id: this.id, hostname: hostname(), pid: process.pid })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: new Date() }))
      .execute();
    const heartbeatMs = this.options.heartbeatMs ?? Math.max(200, Math.floor(this.leaseMs / 3));
    const pollMs = this.options.pollMs ?? 1000;
    this.timers.push(setInterval(() => void this.beat(), heartbeatMs));
    this.timers.push(setInterval(() => void this.poll(), pollMs));
    for (const t of this.timers) t.unref();
    this.circuits.start();
    this.options.metrics?.watchExecutor(this.gauges);
    this.log.info('executor started', { executor: this.id, concurrency: this.concurrency });
    void this.poll();
  }

  /** Stops claiming, lets running runs finish for up to `graceMs`, then hands the rest back to the queue. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.soonBeat);
    await this.unlisten?.();
    // Unregistered first, so web processes stop handing runs to it; what they handed before
    // (and the backlog) is queued again below.
    await this.db
      .deleteFrom('executors')
      .where('id', '=', this.id)
      .execute()
      .catch(() => {});
    this.backlog = [];
    // Backlogged runs being recorded are then queued again below with the others.
    await Promise.all(this.recording.values());
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.db
      .updateTable('runs')
      .set({ status: 'queued', lease_owner: null, lease_until: null, available_at: new Date() })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('runs')
          .select('id')
          .where('lease_owner', '=', this.id)
          .where('status', '=', 'running')
          .orderBy('id')
          .forUpdate(),
      )
      .execute()
      .catch(() => {});
    this.options.metrics?.unwatchExecutor(this.gauges);
    await this.limiter?.stop();
    await this.circuits.stop();
    if (this.ownsInvoker) await this.invoker.close();
    this.log.info('executor stopped', { executor: this.id });
  }

  /** Claims as many queued runs as there are free slots; coalesces concurrent wake-ups. */
  fill(): void {
    if (this.stopping) return;
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = true;
    void (async () => {
      try {
        do {
          this.fillAgain = false;
          const free = this.concurrency - this.active.size - this.backlog.length;
          if (free <= 0) {
            this.missedWakeup = true;
            break;
          }
          const runs = await claimQueuedRuns(
            this.db,
            { owner: this.id, leaseMs: this.leaseMs, limit: Math.min(free, 32) },
            this.options.pool,
          );
          for (const run of runs) {
            this.options.metrics?.runClaimed(run.available_at);
            this.launch(run);
          }
          if (runs.length > 0 && runs.length === Math.min(free, 32)) this.fillAgain = true;
        } while (this.fillAgain && !this.stopping);
      } catch (err) {
        this.log.error('claim failed', { error: (err as Error).message });
      } finally {
        this.filling = false;
      }
    })();
  }

  private async poll(): Promise<void> {
    if (this.stopping) return;
    try {
      await wakeWaitingRuns(this.db);
      const free = this.concurrency - this.active.size;
      if (free > 0) {
        const expired = await claimExpiredRuns(this.db, {
          owner: this.id,
          leaseMs: this.leaseMs,
          limit: Math.min(free, 8),
        });
        for (const run of expired) {
          this.log.warn('taking over a run whose executor stopped', { runId: run.id, recoveries: run.recoveries });
          this.launch(run);
        }
      }
    } catch (err) {
      this.log.error('poll failed', { error: (err as Error).message });
    }
    this.fill();
  }

  private async beat(): Promise<void> {
    try {
      const { held } = await heartbeat(this.db, this.id, this.leaseMs);
      await this.db.updateTable('executors').set({ heartbeat_at: new Date() }).where('id', '=', this.id).execute();
      this.applyControl(held);
    } catch (err) {
      this.log.error('heartbeat failed', { error: (err as Error).message });
    }
  }

  /** A cancel or pause request for one run: react now instead of at the next heartbeat. */
  private async control(runId: string): Promise<void> {
    if (!this.active.has(runId)) return;
    try {
      this.applyControl(await readRunControl(this.db, this.id, [runId]));
    } catch (err) {
      this.log.warn('reading run control failed', { runId, error: (err as Error).message });
    }
  }

  private applyControl(flags: Map<string, RunControl>): void {
    for (const [runId, slot] of this.active) {
      const f = flags.get(runId);
      if (!f || !slot.execution || (!f.cancelRequested && !f.pauseRequested)) continue;
      if (f.cancelRequested) slot.execution.cancel();
      else slot.execution.pause();
      this.controlled.add(runId);
    }
  }

  /** Runs this executor has been told to cancel or pause (and has told their execution). */
  readonly controlled = new Set<string>();

  private launch(run: Run): void {
    const slot: { execution?: RunExecution; done: Promise<void> } = { done: Promise.resolve() };
    this.active.set(run.id, slot);
    slot.done = this.execute(run, slot).finally(() => {
      this.active.delete(run.id);
      this.controlled.delete(run.id);
      this.completed++;
      const waiting = this.stopping ? undefined : this.backlog.shift();
      if (waiting) this.launch(waiting);
      else if (this.missedWakeup) {
        this.missedWakeup = false;
        this.fill();
      }
    });
  }

  /**
   * A run a web process handed to this executor (store/handoff.ts): already leased to it, so it
   * starts without a claim. Its short lease is extended by a heartbeat soon after.
   */
  private async adopt(payload: string): Promise<void> {
    // stop() queues a recorded run again; an unrecorded one is recorded by its web process.
    if (this.stopping) return;
    const handoff = parseHandoff(payload);
    if (!handoff) {
      this.log.warn('ignoring a malformed handoff notification', { payload: payload.slice(0, 200) });
      return;
    }
    let run: Run | undefined;
    if ('run' in handoff) {
      run = handoff.run;
      if (handoff.unrecorded) this.unrecorded.add(run);
    } else {
      try {
        run = await this.db
          .selectFrom('runs')
          .selectAll()
          .where('id', '=', handoff.runId)
          .where('lease_owner', '=', this.id)
          .where('status', '=', 'running')
          .executeTakeFirst();
      } catch (err) {
        // Its lease runs out and another executor (or this one) takes it over.
        this.log.warn('reading a handed-off run failed', { runId: handoff.runId, error: (err as Error).message });
        return;
      }
    }
    if (!run || run.lease_owner !== this.id || this.active.has(run.id) || this.stopping) return;
    this.options.metrics?.runClaimed(run.available_at);
    this.beatSoon();
    if (this.active.size < this.concurrency) this.launch(run);
    else {
      this.backlog.push(run);
      if (this.unrecorded.has(run)) this.recordWaiting(run);
    }
  }

  /**
   * Records an unrecorded run that waits for a slot at once, leased to this executor: else its
   * web process, hearing nothing, would record and queue it meanwhile, and the work done here
   * until its first write would be thrown away.
   */
  private recordWaiting(run: Run): void {
    const recorded = commitRunWrites(this.db, this.fenceOf(run), [])
      .then(() => void this.unrecorded.delete(run))
      .catch((err: Error) => {
        // Recorded by its web process first: it runs from the queue, not from here.
        if (err instanceof LeaseLostError) this.backlog = this.backlog.filter((r) => r !== run);
        // Otherwise its first write tries again.
        else this.log.warn('recording a waiting run failed', { runId: run.id, error: err.message });
      })
      .finally(() => this.recording.delete(run.id));
    this.recording.set(run.id, recorded);
  }

  /** One heartbeat well within a handed-off run's short lease (several handoffs share it). */
  private beatSoon(): void {
    if (this.soonBeat || this.stopping) return;
    this.soonBeat = setTimeout(() => {
      this.soonBeat = undefined;
      if (this.active.size > 0 || this.backlog.length > 0) void this.beat();
    }, HANDOFF_LEASE_MS / 3);
    this.soonBeat.unref();
  }

  /** The fence of this executor's writes for `run`; the first one records an unrecorded run. */
  private fenceOf(run: Run): Fence {
    return {
      runId: run.id,
      owner: this.id,
      token: Number(run.lease_token),
      ...(this.unrecorded.has(run) ? { record: { run, leaseMs: this.leaseMs } } : {}),
    };
  }

  private async execute(run: Run, slot: { execution?: RunExecution }): Promise<void> {
    await this.recording.get(run.id);
    const fence = this.fenceOf(run);
    try {
      const ir = await loadVersionIR(this.db, run.version_id);
      const limit = ir.settings.concurrency;
      if (limit && (await mustWaitForConcurrency(this.db, run, limit))) {
        await commitRunWrites(this.db, fence, [], {
          status: 'queued',
          availableInMs: CONCURRENCY_RECHECK_MS,
          release: true,
        });
        setTimeout(() => this.fill(), CONCURRENCY_RECHECK_MS + 5).unref();
        return;
      }
      const execution = new RunExecution(
        {
          db: this.db,
          catalog: this.options.catalog,
          invoker: this.invoker,
          owner: this.id,
          pool: this.options.pool,
          writer: this.writer,
          onRequeued: (delay) => setTimeout(() => this.fill(), delay + 5).unref(),
          ...(this.options.resolveCredentials ? { resolveCredentials: this.options.resolveCredentials } : {}),
          ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
          ...(this.limiter ? { limiter: this.limiter } : {}),
          circuits: this.circuits,
          log: this.log,
        },
        run,
        ir,
        fence,
      );
      slot.execution = execution;
      const outcome = await execution.execute();
      this.options.metrics?.runEnded(outcome, run.started_at);
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.log.warn(err.message, { runId: run.id });
        return;
      }
      if (isDatabaseUnavailable(err)) {
        // Not the run's fault: leave it; its lease expires and it resumes from its last write.
        this.log.error('database unavailable while running; the run will resume', {
          runId: run.id,
          error: (err as Error).message,
        });
        return;
      }
      this.log.error('run crashed in the engine', { runId: run.id, error: (err as Error).stack ?? String(err) });
      this.options.metrics?.runEnded('failed', run.started_at);
      await commitRunWrites(this.db, fence, [], {
        status: 'failed',
        error: { kind: 'fatal', name: 'EngineError', message: (err as Error).message },
        finished: true,
        release: true,
        event: { kind: 'finished', status: 'failed' },
      }).catch(() => {});
    }
  }
}

/** Connection-level failures (SQLSTATE classes 08, 53, 57) or a dropped socket. */
function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(08|53|57)/.test(code)) return true;
  return /Connection terminated|ECONNREFUSED|ECONNRESET/.test((err as Error)?.message ?? '');
}
