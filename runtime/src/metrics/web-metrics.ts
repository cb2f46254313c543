import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LIVE_RUN_STATUSES = ['queued', 'running', 'waiting'] as const;
const CONNECTION_STATUSES = ['untested', 'ok', 'error', 'needs_connect'] as const;

export interface WebMetricsOptions {
  db: Kysely<Database>;
  /** Snapshots not refreshed for this long are left out (their process is gone). Default 60 s. */
  staleAfterMs?: number;
  /** Node.js process metrics of the web process (`apiq_web_process_*`). Default true. */
  processMetrics?: boolean;
}

interface ClusterState {
  queue_depth: number;
  queue_lag: number;
  executors_alive: number;
  runs: Record<string, number> | null;
  connections: Record<string, number> | null;
  alerts_open: number;
}

/**
 * The web process's `/metrics`: its own webhook timings, figures read from PostgreSQL at scrape
 * time (queue depth and lag, live runs, executors, connection health, open alerts), and the
 * snapshots executors publish (their series carry an `executor` label).
 *
 * @example
 * const metrics = createWebMetrics({ db });
 * metrics.webhookAnswered(200, 3.2);
 * const text = await metrics.render(); // Prometheus text format
 */
export function createWebMetrics(o: WebMetricsOptions) {
  const registry = new Registry();
  if (o.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'apiq_web_' });
  const webhook = new Histogram({
    name: 'apiq_webhook_duration_seconds',
    help: 'Webhook requests, from arrival to the response (sync webhooks include the run), by status class',
    labelNames: ['status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const queueDepth = gauge('apiq_queue_depth', 'Runs waiting to be claimed now');
  const queueLag = gauge('apiq_queue_lag_seconds', 'Age of the oldest run waiting to be claimed (0 when none)');
  const executorsAlive = gauge('apiq_executors_alive', 'Executors that heartbeated in the last 60 s');
  const runs = gauge('apiq_runs', 'Runs not finished yet, by status', ['status']);
  const connections = gauge('apiq_connections', 'Connections by health status (from their last test)', ['status']);
  const alertsOpen = gauge('apiq_alerts_open', 'Alert events fired and not resolved');
  const staleAfterMs = o.staleAfterMs ?? 60_000;

  async function readCluster(): Promise<void> {
    const r = await sql<ClusterState>`
      select
        (select count(*)::int from runs where status = 'queued' and available_at <= now()) as queue_depth,
        (select coalesce(extract(epoch from now() - min(available_at)), 0)::float8 from runs
          where status = 'queued' and available_at <= now()) as queue_lag,
        (select count(*)::int from executors where heartbeat_at > now() - interval '60 seconds') as executors_alive,
        json_build_object(
          'queued', (select count(*)::int from runs where status = 'queued'),
          'running', (select count(*)::int from runs where status = 'running'),
          'waiting', (select count(*)::int from runs where status = 'waiting')) as runs,
        (select json_object_agg(status, n) from (select status, count(*)::int as n from credentials group by status) c)
          as connections,
        (select count(*)::int from alert_events where resolved_at is null) as alerts_open`.execute(o.db);
    const row = r.rows[0]!;
    queueDepth.set(row.queue_depth);
    queueLag.set(Math.max(0, row.queue_lag));
    executorsAlive.set(row.executors_alive);
    for (const s of LIVE_RUN_STATUSES) runs.set({ status: s }, row.runs?.[s] ?? 0);
    for (const s of CONNECTION_STATUSES) connections.set({ status: s }, row.connections?.[s] ?? 0);
    alertsOpen.set(row.alerts_open);
  }

  async function readSnapshots(): Promise<MetricObjectWithValues<MetricValue<string>>[][]> {
    const rows = await o.db
      .selectFrom('metric_snapshots')
      .select(['source', 'metrics'])
      .where('updated_at', '>', sql<Date>`now() - ${staleAfterMs} * interval '1 millisecond'`)
      .orderBy('source')
      .execute();
    return rows.map((row) =>
      (row.metrics as MetricObjectWithValues<MetricValue<string>>[]).map((metric) => ({
        ...metric,
        values: metric.values.map((v) => ({ ...v, labels: { ...v.labels, executor: row.source } })),
      })),
    );
  }

  return {
    registry,
    contentType: registry.contentType,
    /** Times one webhook request (call when its response is sent). */
    webhookAnswered(statusCode: number, durationMs: number): void {
      webhook.observe({ status_class: `${Math.floor(statusCode / 100)}xx` }, durationMs / 1000);
    },
    /** Everything, in the Prometheus text format. */
    async render(): Promise<string> {
      const [, snapshots] = await Promise.all([readCluster(), readSnapshots()]);
      const own = (await registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
      return AggregatorRegistry.aggregate([own, ...snapshots]).metrics();
    },
  };
}

export type WebMetrics = ReturnType<typeof createWebMetrics>;
