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

/** What a handoff notification carries: the whole run, or its id when the row was too large. */
export type Handoff = { run: Run } | { runId: string };

const DATE_FIELDS = ['available_at', 'lease_until', 'created_at', 'started_at', 'finished_at'] as const;

/**
 * Reads a handoff notification (`row_to_json` of the inserted run, or `{ "id": … }`); undefined
 * for anything else.
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
  for (const field of DATE_FIELDS) {
    const v = row[field];
    row[field] = typeof v === 'string' ? new Date(v) : null;
  }
  return { run: row as unknown as Run };
}
