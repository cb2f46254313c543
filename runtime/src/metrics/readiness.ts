import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

export type CheckStatus = 'ok' | 'degraded' | 'down';

export interface ReadinessReport {
  /** `ok` (HTTP 200); `degraded` or `unavailable` (HTTP 503). */
  status: 'ok' | 'degraded' | 'unavailable';
  checkedAt: string;
  checks: {
    database: { status: CheckStatus; latencyMs?: number; error?: string };
    queue?: { status: CheckStatus; depth: number; lagSeconds: number; maxLagSeconds: number };
    executors?: { status: CheckStatus; alive: number; lost: { id: string; lastHeartbeatAt: string }[] };
    scheduler?: {
      status: CheckStatus;
      /** Every executor process runs a scheduler; ticks are deduplicated in the database. */
      schedulersAlive: number;
      activeSchedules: number;
      lastTickAt: string | null;
      /** The instance-wide jobs (retention) run under a lease: when one instance last took it. */
      maintenanceLeaseAt: string | null;
    };
  };
}

export interface ReadinessOptions {
  /** Queue lag above this is degraded. Default `APIQ_READY_MAX_QUEUE_LAG_S` or 60 s. */
  maxQueueLagSeconds?: number;
  /** An executor silent for longer than this is lost. Default 60 s. */
  heartbeatTimeoutSeconds?: number;
  /** Lost executors older than this no longer degrade readiness (a crash long ago). Default 10 min. */
  forgetLostAfterSeconds?: number;
}

interface Row {
  depth: number;
  lag: number;
  alive: number;
  lost: { id: string; at: string }[] | null;
  schedules: number;
  last_tick: Date | null;
  maintenance_at: string | null;
}

/**
 * The instance's readiness: database reachable, queue lag under its limit, executors alive and
 * none lost recently, schedules with a scheduler to fire them. `/api/health/ready` and `apiq
 * status` print it.
 *
 * @example
 * const report = await checkReadiness(db);
 * report.status;                      // 'ok' | 'degraded' | 'unavailable'
 * report.checks.executors?.alive;     // 2
 */
export async function checkReadiness(db: Kysely<Database>, o: ReadinessOptions = {}): Promise<ReadinessReport> {
  const maxLag = o.maxQueueLagSeconds ?? Number(process.env.APIQ_READY_MAX_QUEUE_LAG_S ?? 60);
  const timeout = o.heartbeatTimeoutSeconds ?? 60;
  const forget = o.forgetLostAfterSeconds ?? 600;
  const checkedAt = new Date().toISOString();
  const started = performance.now();
  let row: Row;
  try {
    const r = await sql<Row>`
      select
        (select count(*)::int from runs where status = 'queued' and available_at <= now()) as depth,
        (select coalesce(extract(epoch from now() - min(available_at)), 0)::float8 from runs
          where status = 'queued' and available_at <= now()) as lag,
        (select count(*)::int from executors where heartbeat_at > now() - ${timeout} * interval '1 second') as alive,
        (select json_agg(json_build_object('id', id, 'at', heartbeat_at) order by heartbeat_at desc) from executors
          where heartbeat_at <= now() - ${timeout} * interval '1 second'
            and heartbeat_at > now() - ${forget} * interval '1 second') as lost,
        (select count(*)::int from schedules) as schedules,
        (select max(tick_at) from schedule_ticks) as last_tick,
        (select value ->> 'at' from settings where key = 'maintenance_lease') as maintenance_at`.execute(db);
    row = r.rows[0]!;
  } catch (err) {
    return {
      status: 'unavailable',
      checkedAt,
      checks: { database: { status: 'down', error: (err as Error).message } },
    };
  }
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  const lost = (row.lost ?? []).map((l) => ({ id: l.id, lastHeartbeatAt: new Date(l.at).toISOString() }));
  const lagSeconds = Math.round(Math.max(0, row.lag) * 1000) / 1000;
  const checks: ReadinessReport['checks'] = {
    database: { status: 'ok', latencyMs },
    queue: { status: lagSeconds > maxLag ? 'degraded' : 'ok', depth: row.depth, lagSeconds, maxLagSeconds: maxLag },
    executors: { status: row.alive === 0 || lost.length > 0 ? 'degraded' : 'ok', alive: row.alive, lost },
    scheduler: {
      status: row.schedules > 0 && row.alive === 0 ? 'degraded' : 'ok',
      schedulersAlive: row.alive,
      activeSchedules: row.schedules,
      lastTickAt: row.last_tick ? new Date(row.last_tick).toISOString() : null,
      maintenanceLeaseAt: row.maintenance_at ? new Date(row.maintenance_at).toISOString() : null,
    },
  };
  const degraded = Object.values(checks).some((c) => c.status !== 'ok');
  return { status: degraded ? 'degraded' : 'ok', checkedAt, checks };
}
