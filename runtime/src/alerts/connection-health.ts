import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { createLogger, type Log } from '../log.ts';

/** Tests one connection and records its status (`testConnection` of `@apiq/vault` does both). */
export type ConnectionTester = (
  workspaceId: string,
  connectionId: string,
) => Promise<{ ok: boolean; message?: string }>;

export interface ConnectionHealthOptions {
  db: Kysely<Database>;
  test: ConnectionTester;
  /** How often every connection is checked, cluster-wide. Default `APIQ_CONNECTION_CHECK_MINUTES` or 15 minutes. */
  everyMs?: number;
  /** Called after a round (the alert evaluator, so `connection_down` rules fire promptly). */
  afterRound?: () => Promise<unknown>;
  log?: Log;
}

/**
 * Pings every connection periodically with its kind's test request and records the outcome on
 * the connection (status ok / error, last error), where the UI shows it and `connection_down`
 * alert rules read it. Every worker starts one; a lease row lets one instance check per period.
 *
 * @example
 * const health = new ConnectionHealthCheck({ db, test: (ws, id) => testConnection(vaultDeps, ws, id) });
 * health.start();
 * await health.runIfDue(); // → { checked: 3, failing: 1 } or undefined when another instance did it
 */
export class ConnectionHealthCheck {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private readonly log: Log;
  private readonly everyMs: number;

  constructor(private readonly o: ConnectionHealthOptions) {
    this.log = o.log ?? createLogger({ component: 'connection-health' });
    this.everyMs = o.everyMs ?? Number(process.env.APIQ_CONNECTION_CHECK_MINUTES ?? 15) * 60_000;
  }

  start(): void {
    const tick = () => {
      this.running = this.runIfDue().catch((err: Error) =>
        this.log.error('connection health check failed', { error: err.message }),
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

  /** Checks every connection when no instance has within the period. */
  async runIfDue(): Promise<{ checked: number; failing: number } | undefined> {
    const lease = await sql<{ key: string }>`
      insert into settings (key, value) values ('connection_check_lease', jsonb_build_object('at', now()))
      on conflict (key) do update set value = excluded.value, updated_at = now()
        where (settings.value ->> 'at')::timestamptz < now() - ${this.everyMs} * interval '1 millisecond'
      returning key`.execute(this.o.db);
    if (lease.rows.length === 0) return undefined;
    return this.checkAll();
  }

  /** Checks every connection now, one at a time (a slow API delays the round, not the engine). */
  async checkAll(): Promise<{ checked: number; failing: number }> {
    const connections = await this.o.db
      .selectFrom('credentials')
      .select(['id', 'workspace_id', 'name', 'kind'])
      .where('status', '!=', 'needs_connect')
      .orderBy('id')
      .execute();
    let failing = 0;
    for (const c of connections) {
      try {
        const result = await this.o.test(c.workspace_id, c.id);
        if (!result.ok) {
          failing++;
          this.log.warn('connection is down', { connectionId: c.id, kind: c.kind, error: result.message });
        }
      } catch (err) {
        // The tester records normal failures itself; this is a broken connection row or kind.
        failing++;
        await this.o.db
          .updateTable('credentials')
          .set({ status: 'error', last_tested_at: new Date(), last_error: (err as Error).message })
          .where('id', '=', c.id)
          .execute();
        this.log.warn('connection check failed', { connectionId: c.id, kind: c.kind, error: (err as Error).message });
      }
    }
    await this.o.afterRound?.();
    return { checked: connections.length, failing };
  }
}
