import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboundCall } from '@apiq/http';

/** Seconds; from a quick built-in step to a long API call. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
/** Run statuses that end a run (a pass may also end in `waiting` or `requeued`). */
const FINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'dead']);

/** What the metrics read from an executor when scraped or published. */
export interface ExecutorGauges {
  activeRuns(): number;
  slots: number;
  pool(): { threads: number; utilization: number; queued: number } | undefined;
}

/**
 * The engine's in-process metrics (one set per executor process). The engine calls the recording
 * methods on its hot path: each is a few in-memory increments, no I/O. A `MetricsPublisher`
 * copies the registry into PostgreSQL for the web process's `/metrics`.
 *
 * @example
 * const metrics = createEngineMetrics();
 * const executor = new Executor({ db, pool, catalog, metrics });
 * metrics.stepFinished('core.http_request', 'succeeded', 120);
 * await metrics.registry.metrics(); // Prometheus text
 */
export function createEngineMetrics() {
  const registry = new Registry();
  const executors: ExecutorGauges[] = [];
  const runsFinished = new Counter({
    name: 'apiq_runs_finished_total',
    help: 'Runs that ended, by final status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: 'apiq_run_duration_seconds',
    help: 'From a run start to its end (waits included), by final status',
    labelNames: ['status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const steps = new Counter({
    name: 'apiq_steps_total',
    help: 'Step attempts recorded, by node type and status',
    labelNames: ['node_type', 'status'] as const,
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: 'apiq_step_duration_seconds',
    help: 'Duration of step attempts that ran (succeeded or failed), by node type',
    labelNames: ['node_type'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const claimLatency = new Histogram({
    name: 'apiq_claim_latency_seconds',
    help: 'From a run becoming claimable to an executor claiming it',
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const httpCalls = new Counter({
    name: 'apiq_http_requests_total',
    help: 'Outbound HTTP calls made by steps, by host, connection (credential id, "" without one) and status class',
    labelNames: ['host', 'connection', 'status_class'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'apiq_http_request_duration_seconds',
    help: 'Outbound HTTP calls made by steps, until the response head, by host',
    labelNames: ['host'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const circuit = new Gauge({
    name: 'apiq_http_circuit_state',
    help: 'Per-host circuit breaker state as last seen by a call (1 for the current state)',
    labelNames: ['host', 'state'] as const,
    registers: [registry],
  });
  const sum = (read: (e: ExecutorGauges) => number) => executors.reduce((n, e) => n + read(e), 0);
  new Gauge({
    name: 'apiq_executor_active_runs',
    help: 'Runs executing now',
    registers: [registry],
    collect() {
      this.set(sum((e) => e.activeRuns()));
    },
  });
  new Gauge({
    name: 'apiq_executor_run_slots',
    help: 'Runs the executor may execute at once (its concurrency)',
    registers: [registry],
    collect() {
      this.set(sum((e) => e.slots));
    },
  });
  new Gauge({
    name: 'apiq_executor_pool_threads',
    help: 'Worker threads running node code',
    registers: [registry],
    collect() {
      this.set(sum((e) => e.pool()?.threads ?? 0));
    },
  });
  new Gauge({
    name: 'apiq_executor_pool_utilization',
    help: 'Share of the worker pool capacity in use since it started (0..1)',
    registers: [registry],
    collect() {
      const pools = executors.map((e) => e.pool()).filter((p) => p !== undefined);
      this.set(pools.length ? pools.reduce((n, p) => n + p.utilization, 0) / pools.length : 0);
    },
  });
  new Gauge({
    name: 'apiq_executor_pool_queued_tasks',
    help: 'Node tasks waiting for a worker thread',
    registers: [registry],
    collect() {
      this.set(sum((e) => e.pool()?.queued ?? 0));
    },
  });

  return {
    registry,
    /** Adds an executor's gauges (active runs, slots, worker pool). */
    watchExecutor(gauges: ExecutorGauges): void {
      executors.push(gauges);
    },
    unwatchExecutor(gauges: ExecutorGauges): void {
      const i = executors.indexOf(gauges);
      if (i >= 0) executors.splice(i, 1);
    },
    runClaimed(availableAt: Date | string): void {
      claimLatency.observe(Math.max(0, Date.now() - new Date(availableAt).getTime()) / 1000);
    },
    /** Counts a run whose pass ended in a final status; other outcomes (waiting, requeued) are ignored. */
    runEnded(status: string, startedAt: Date | string | null): void {
      if (!FINAL_STATUSES.has(status)) return;
      runsFinished.inc({ status });
      if (startedAt) runDuration.observe({ status }, Math.max(0, Date.now() - new Date(startedAt).getTime()) / 1000);
    },
    stepFinished(nodeType: string, status: string, durationMs: number | null): void {
      steps.inc({ node_type: nodeType, status });
      if (durationMs !== null && (status === 'succeeded' || status === 'failed'))
        stepDuration.observe({ node_type: nodeType }, durationMs / 1000);
    },
    /** The outbound calls of one step; `connection` is the credential id the step used, if any. */
    httpCalls(calls: readonly OutboundCall[] | undefined, connection: string): void {
      if (!calls) return;
      for (const c of calls) {
        httpCalls.inc({ host: c.host, connection, status_class: statusClass(c) });
        httpDuration.observe({ host: c.host }, c.durationMs / 1000);
        for (const state of CIRCUIT_STATES) circuit.set({ host: c.host, state }, state === c.circuit ? 1 : 0);
      }
    },
  };
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;

/** `2xx`..`5xx`, or `error` when no response arrived (refused, timeout, blocked, circuit open). */
export function statusClass(call: Pick<OutboundCall, 'status'>): string {
  return call.status === undefined ? 'error' : `${Math.floor(call.status / 100)}xx`;
}
