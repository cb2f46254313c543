import { createHash } from 'node:crypto';
import type { Run } from '@apiq/db';

/**
 * Direct handoff: a synchronous webhook's run is inserted already leased to a live executor and
 * announced on that executor's own channel with the run row itself, so the executor starts it
 * without a claim statement (one round trip and one row update less per run). The lease is short
 * (`HANDOFF_LEASE_MS`) until the executor's next heartbeat extends it: if the executor died,
 * another one takes the run over when the lease runs out, as after any crash.
 */
export const HANDOFF_LEASE_MS = 5_000;

/**
 * Unrecorded handoff: a synchronous webhook's run without an idempotency key is not inserted by
 * the web process at all. It is announced to a live executor with the row it would have had, and
 * the executor inserts it with its first write (step-writer.ts), which comes before any step with
 * side effects runs. That saves a statement, a row version and its index entries per run.
 *
 * The web process still answers only after a flushed write that covers the run. If it hears
 * nothing within `RECORD_HANDED_RUN_AFTER_MS`, it inserts the run itself, queued (`recordHandedRun`):
 * the run's id is its primary key, so exactly one of the two inserts wins. If the web process
 * won, the executor's first write finds the row taken and stops (LeaseLostError), and the queued
 * run is claimed like any other.
 */
export const RECORD_HANDED_RUN_AFTER_MS = HANDOFF_LEASE_MS;

/** NOTIFY payloads are capped at 8000 bytes; a larger row is announced by id and read. */
export const HANDOFF_PAYLOAD_MAX_BYTES = 7_900;

/**
 * The NOTIFY channel of one executor (channel names are identifiers of at most 63 bytes).
 *
 * @example
 * executorChannel('host:123:ab12cd34'); // 'apiq_exec_' + 32 hex characters
 */
export function executorChannel(executorId: string): string {
  return `apiq_exec_${createHash('sha256').update(executorId).digest('hex').slice(0, 32)}`;
}

/**
 * What a handoff notification carries: the whole run (`unrecorded` when it is not in the
 * database yet), or its id when the row was too large.
 */
export type Handoff = { run: Run; unrecorded?: true } | { runId: string };

const DATE_FIELDS = ['available_at', 'lease_until', 'created_at', 'started_at', 'finished_at'] as const;

/**
 * Reads a handoff notification (`row_to_json` of the inserted run, the row of an unrecorded run
 * with `"unrecorded": true`, or `{ "id": … }`); undefined for anything else.
 */
export function parseHandoff(payload: string): Handoff | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return undefined;
  const row = value as Record<string, unknown>;
  if (!('lease_token' in row)) return { runId: row.id as string };
  const unrecorded = row.unrecorded === true;
  delete row.unrecorded;
  for (const field of DATE_FIELDS) {
    const v = row[field];
    row[field] = typeof v === 'string' ? new Date(v) : null;
  }
  return unrecorded ? { run: row as unknown as Run, unrecorded } : { run: row as unknown as Run };
}
