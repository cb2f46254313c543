import type { Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { breakerKey } from '@apiq/http';
import { credentialBaseUrl, type CredentialKindDefinition } from '@apiq/sdk';

/** A connection's circuit breaker state, as the API shows it. */
export interface ConnectionBreaker {
  /** `open`: calls fail fast until `openUntil`; `half_open`: the next call is a trial. */
  state: 'closed' | 'open' | 'half_open';
  /** Consecutive failures (connection errors, timeouts, 5xx). */
  failures: number;
  /** ISO time when a trial call is let through; null while closed. */
  openUntil: string | null;
}

/** Rows older than this come from an executor that stopped without cleaning up: ignored. */
const STALE_MS = 15 * 60_000;
const RANK = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * The breaker host (`host:port`) of a connection: its `baseUrl` field, else its kind's default
 * base URL; undefined when it has neither.
 *
 * @example
 * connectionHost(httpBearer, { baseUrl: 'https://api.example.com/v1' }); // → 'api.example.com:443'
 */
export function connectionHost(
  kind: CredentialKindDefinition | undefined,
  metadata: Record<string, string>,
): string | undefined {
  const base = kind ? credentialBaseUrl(kind, metadata) : metadata.baseUrl;
  if (!base) return undefined;
  try {
    return breakerKey(new URL(base));
  } catch {
    return undefined;
  }
}

/**
 * The breaker state of each host as the executors last published it (`circuit_states`), merged
 * across executors: the worst state, the most failures, the latest reopening. A host no executor
 * reports on is closed.
 *
 * @example
 * const states = await readCircuitStates(db, ['api.example.com:443']);
 * states.get('api.example.com:443'); // → { state: 'open', failures: 5, openUntil: '2026-…' }
 */
export async function readCircuitStates(
  db: Kysely<Database>,
  hosts: readonly string[],
  now: number = Date.now(),
): Promise<Map<string, ConnectionBreaker>> {
  const out = new Map<string, ConnectionBreaker>();
  const unique = [...new Set(hosts)];
  if (unique.length === 0) return out;
  for (const h of unique) out.set(h, { state: 'closed', failures: 0, openUntil: null });
  const rows = await db
    .selectFrom('circuit_states')
    .select(['host', 'state', 'failures', 'next_try_at'])
    .where('host', 'in', unique)
    .where('updated_at', '>', new Date(now - STALE_MS))
    .execute();
  for (const r of rows) {
    const nextTry = r.next_try_at ? r.next_try_at.getTime() : null;
    // An open circuit whose cooldown has passed lets the next call through as a trial.
    const state = r.state === 'open' && nextTry !== null && nextTry <= now ? 'half_open' : r.state;
    const current = out.get(r.host)!;
    out.set(r.host, {
      state: RANK[state] > RANK[current.state] ? state : current.state,
      failures: Math.max(current.failures, r.failures),
      openUntil:
        state === 'closed' || nextTry === null
          ? current.openUntil
          : current.openUntil && Date.parse(current.openUntil) >= nextTry
            ? current.openUntil
            : new Date(nextTry).toISOString(),
    });
  }
  return out;
}
