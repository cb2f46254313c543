import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database, StepStatus } from '@apiq/db';
import { listen, type Unlisten } from './listen.ts';

export const STEP_EVENT_CHANNEL = 'apiq_step_event';

/** A step of a run changed state. Carries no input or output (NOTIFY payloads are small); read those from the step row. */
export interface StepEvent {
  runId: string;
  stepId: string;
  /** '' outside loops, '3' for item 3 of a for-each. */
  iteration: string;
  attempt: number;
  status: StepStatus;
  nodeType: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Items the step produced: a list's length, 0 for null, else 1. */
  itemCount: number | null;
  ports: string[] | null;
  error: { name: string; message: string } | null;
}

const MAX_MESSAGE = 500;

/**
 * Publishes one run's step events over NOTIFY, in order (each waits for the one before, so
 * listeners receive them in the order they happened). Only runs started from the editor or the
 * API publish them; other runs are watched by polling, so the webhook path pays nothing.
 */
export class StepEventPublisher {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly runId: string,
  ) {}

  publish(event: Omit<StepEvent, 'runId'>): void {
    const payload = JSON.stringify({ runId: this.runId, ...event });
    // Best effort: a lost event only delays the view until its next snapshot.
    this.chain = this.chain.then(() =>
      sql`select pg_notify(${STEP_EVENT_CHANNEL}, ${payload})`.execute(this.db).catch(() => undefined),
    );
  }

  /** Resolves when every event published so far has been sent. */
  flushed(): Promise<unknown> {
    return this.chain;
  }
}

/** The step event for a step row as the engine writes it. */
export function stepEventOf(row: {
  step_id: string;
  iteration: string;
  attempt: number;
  status: StepStatus;
  node_type: string;
  output: unknown;
  ports: string[] | null;
  error: unknown;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}): Omit<StepEvent, 'runId'> {
  const err = row.error as { name?: unknown; message?: unknown } | null;
  return {
    stepId: row.step_id,
    iteration: row.iteration,
    attempt: row.attempt,
    status: row.status,
    nodeType: row.node_type,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    itemCount: row.finished_at === null ? null : countItems(row.output),
    ports: row.ports,
    error: err ? { name: String(err.name ?? 'Error'), message: String(err.message ?? '').slice(0, MAX_MESSAGE) } : null,
  };
}

function countItems(output: unknown): number {
  if (output === null || output === undefined) return 0;
  return Array.isArray(output) ? output.length : 1;
}

/**
 * Calls `handler` with every step event published in the cluster (one LISTEN connection).
 *
 * @example
 * const stop = await subscribeStepEvents(pool, (e) => console.log(e.stepId, e.status));
 * await stop();
 */
export async function subscribeStepEvents(pool: pg.Pool, handler: (event: StepEvent) => void): Promise<Unlisten> {
  return listen(pool, {
    [STEP_EVENT_CHANNEL]: (payload) => {
      try {
        handler(JSON.parse(payload) as StepEvent);
      } catch {
        // Not ours or malformed: ignore.
      }
    },
  });
}
