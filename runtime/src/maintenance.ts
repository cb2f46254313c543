import { sql, type Kysely } from 'kysely';
import { pruneRuns, pruneScheduleTicks, type Database } from '@apiq/db';
import { createLogger, type Log } from './log.ts';

export interface MaintenanceOptions {
  db: Kysely<Database>;
  log?: Log;
  /** How often maintenance runs somewhere in the cluster (default hourly). */
  everyMs?: number;
}

/**
 * Applies the run-retention policy (see `pruneRuns`), forgets old schedule ticks and the rows of
 * executors gone for a day. Every
 * executor starts one; a lease row in `settings` lets only one of them work per period.
 */
export class Maintenance {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private readonly log: Log;
  private readonly everyMs: number;

  constructor(private readonly o: MaintenanceOptions) {
    this.log = o.log ?? createLogger({ component: 'maintenance' });
    this.everyMs = o.everyMs ?? 3_600_000;
  }

  start(): void {
    const tick = () => {
      this.running = this.runIfDue().catch((err: Error) =>
        this.log.error('maintenance failed', { error: err.message }),
      );
    };
    this.timer = setInterval(tick, Math.min(this.everyMs, 60_000));
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs maintenance when no instance has run it within the period. Returns what was pruned, or undefined. */
  async runIfDue(): Promise<{ runs: number; ticks: number; executors: number } | undefined> {
    const lease = await sql<{ key: string }>`
      insert into settings (key, value) values ('maintenance_lease', jsonb_build_object('at', now()))
      on conflict (key) do update set value = excluded.value, updated_at = now()
        where (settings.value ->> 'at')::timestamptz < now() - ${this.everyMs} * interval '1 millisecond'
      returning key`.execute(this.o.db);
    if (lease.rows.length === 0) return undefined;
    const runs = await pruneRuns(this.o.db);
    const ticks = await pruneScheduleTicks(this.o.db);
    // Executors killed without a chance to sign off leave their row behind.
    const gone = await this.o.db
      .deleteFrom('executors')
      .where('heartbeat_at', '<', sql<Date>`now() - interval '1 day'`)
      .executeTakeFirst();
    const executors = Number(gone.numDeletedRows);
    // Metric snapshots of processes gone for a day (a graceful stop removes its own).
    await this.o.db
      .deleteFrom('metric_snapshots')
      .where('updated_at', '<', sql<Date>`now() - interval '1 day'`)
      .execute();
    if (runs || ticks || executors)
      this.log.info('retention applied', { prunedRuns: runs, prunedTicks: ticks, removedExecutors: executors });
    return { runs, ticks, executors };
  }
}
