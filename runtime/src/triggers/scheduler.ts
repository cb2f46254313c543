import { fileURLToPath } from 'node:url';
import Bree from 'bree';
import type pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { listen, type Unlisten } from '../store/listen.ts';
import { RUN_QUEUED_CHANNEL } from '../store/runs.ts';
import { loadVersionIR } from '../store/workflows.ts';
import { lastMissedTick } from './missed-ticks.ts';
import { createLogger, type Log } from '../log.ts';

export interface SchedulerOptions {
  db: Kysely<Database>;
  pool: pg.Pool;
  log?: Log;
  /** How often schedules are re-read from the database besides change notifications. */
  syncMs?: number;
}

interface ScheduleRow {
  id: string;
  created_at: Date;
  workflow_id: string;
  version_id: string;
  cron: string;
  timezone: string;
  workspace_id: string;
}

/**
 * Fires schedule triggers with Bree. Any number of schedulers may run (one per executor process);
 * the `schedule_ticks` primary key makes exactly one of them create the run for each tick.
 *
 * Ticks missed while no scheduler ran are skipped, or with `missedTicks: 'run_once'` the latest
 * one is run once at start (the same tick row keeps that catch-up unique too).
 */
export class Scheduler {
  private readonly bree: Bree;
  private readonly log: Log;
  private readonly jobs = new Map<string, ScheduleRow>();
  private unlisten?: Unlisten;
  private timer?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  /** Ticks this instance saw, and runs it created (the others were taken by another instance). */
  ticksSeen = 0;
  fired = 0;

  constructor(private readonly o: SchedulerOptions) {
    this.log = o.log ?? createLogger({ component: 'scheduler' });
    this.bree = new Bree({
      root: false,
      jobs: [],
      logger: false,
      doRootCheck: false,
      errorHandler: (err: unknown) => this.log.error('schedule job failed', { error: String(err) }),
      workerMessageHandler: () => {},
    });
    this.bree.on('worker created', (name: string) => void this.tick(name, new Date()));
  }

  async start(): Promise<void> {
    this.unlisten = await listen(this.o.pool, { apiq_workflows: () => void this.sync() });
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.o.syncMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
    await this.syncing;
    await this.bree.stop();
  }

  /** Reconciles Bree's jobs with the schedules table. */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.doSync())
      .catch((err: Error) => this.log.error('schedule sync failed', { error: err.message }));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const rows = await this.o.db
      .selectFrom('schedules as s')
      .innerJoin('workflows as w', 'w.id', 's.workflow_id')
      .select(['s.id', 's.workflow_id', 's.version_id', 's.cron', 's.timezone', 's.created_at', 'w.workspace_id'])
      .where('w.active', '=', true)
      .execute();
    const wanted = new Map(rows.map((r) => [r.id, r]));
    for (const [id, job] of this.jobs) {
      const next = wanted.get(id);
      if (!next || next.cron !== job.cron || next.timezone !== job.timezone || next.version_id !== job.version_id) {
        await this.bree.remove(id).catch(() => {});
        this.jobs.delete(id);
      }
    }
    for (const [id, row] of wanted) {
      if (this.jobs.has(id)) continue;
      const hasSeconds = row.cron.trim().split(/\s+/).length === 6;
      await this.bree.add({
        name: id,
        path: fileURLToPath(new URL('./tick-job.mjs', import.meta.url)),
        cron: row.cron,
        hasSeconds,
        timezone: row.timezone,
      } as never);
      await this.bree.start(id);
      this.jobs.set(id, row);
      await this.catchUp(row);
    }
  }

  /** With `missedTicks: 'run_once'`, one run for the latest tick missed while nothing was running. */
  private async catchUp(row: ScheduleRow): Promise<void> {
    const ir = await loadVersionIR(this.o.db, row.version_id);
    if (ir.steps[ir.trigger]?.params.missedTicks !== 'run_once') return;
    const last = await this.o.db
      .selectFrom('schedule_ticks')
      .select((eb) => eb.fn.max('tick_at').as('at'))
      .where('schedule_id', '=', row.id)
      .executeTakeFirst();
    const since = last?.at ? new Date(last.at) : row.created_at;
    const missed = lastMissedTick(row.cron, row.timezone, since, new Date());
    if (missed) await this.tick(row.id, new Date(), missed);
  }

  /** Records a tick and enqueues its run in one statement; a tick another instance took is a no-op. */
  async tick(scheduleId: string, firedAt: Date, scheduledAt?: Date): Promise<string | undefined> {
    const job = this.jobs.get(scheduleId);
    if (!job) return undefined;
    this.ticksSeen++;
    const unit = job.cron.trim().split(/\s+/).length === 6 ? 1000 : 60_000;
    const tickAt = new Date(Math.floor((scheduledAt ?? firedAt).getTime() / unit) * unit);
    const payload = JSON.stringify({ scheduledAt: tickAt.toISOString(), firedAt: firedAt.toISOString() });
    try {
      const res = await sql<{ id: string }>`
        with ids as (select gen_random_uuid() as run_id),
        t as (
          insert into schedule_ticks (schedule_id, tick_at, run_id) select ${scheduleId}, ${tickAt.toISOString()}::timestamptz, run_id from ids
          on conflict do nothing returning run_id),
        r as (
          insert into runs (id, workspace_id, workflow_id, version_id, trigger_kind, trigger_payload)
          select t.run_id, ${job.workspace_id}, ${job.workflow_id}, ${job.version_id}, 'schedule', ${payload}::jsonb from t returning id)
        select id, pg_notify(${RUN_QUEUED_CHANNEL}, '') from r`.execute(this.o.db);
      const id = res.rows[0]?.id;
      if (id) this.fired++;
      return id;
    } catch (err) {
      this.log.error('schedule tick failed', { scheduleId, error: (err as Error).message });
      return undefined;
    }
  }
}
