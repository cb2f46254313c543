import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import type { CircuitSnapshot, OutboundCall, SafeFetch } from '@apiq/http';
import type { NodeFetch } from '@apiq/sdk';
import { createLogger, type Log } from '../log.ts';

export interface CircuitBoardOptions {
  db: Kysely<Database>;
  /** Names this executor's rows (its id). */
  source: string;
  /** How often changes are written. Default 2 s. */
  everyMs?: number;
  /** Hosts still failing are written again this often, so readers can tell live rows from a dead executor's. Default 5 min. */
  refreshMs?: number;
  log?: Log;
}

/**
 * The per-host circuit breaker states this executor's steps last saw (inline and in worker
 * threads: each step reports the circuits of the hosts it called), written to `circuit_states`
 * for the web process, which shows them per connection. A write only when something changed,
 * and nothing at all while every host is healthy.
 *
 * @example
 * const board = new CircuitBoard({ db, source: executor.id });
 * board.start();
 * board.observe(invoked.circuits);
 * await board.stop(); // removes this executor's rows
 */
export class CircuitBoard {
  private readonly latest = new Map<string, CircuitSnapshot & { seenAt: number }>();
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private publishing: Promise<void> = Promise.resolve();
  private lastRefresh = Date.now();
  private readonly log: Log;

  constructor(private readonly o: CircuitBoardOptions) {
    this.log = o.log ?? createLogger({ component: 'circuits' });
  }

  start(): void {
    this.timer = setInterval(() => void this.publish(), this.o.everyMs ?? 2000);
    this.timer.unref();
  }

  /** Records the circuits a step saw (newest observation per host wins). */
  observe(circuits: readonly CircuitSnapshot[] | undefined): void {
    if (!circuits) return;
    const now = Date.now();
    for (const c of circuits) {
      const before = this.latest.get(c.host);
      if (before && sameCircuit(before, c)) continue;
      if (!before && isClean(c)) continue;
      this.latest.set(c.host, { ...c, seenAt: now });
      this.dirty.add(c.host);
    }
  }

  /** Writes what changed since the last write (also what the timer does). */
  publish(): Promise<void> {
    this.publishing = this.publishing.then(async () => {
      const refresh = Date.now() - this.lastRefresh >= (this.o.refreshMs ?? 300_000);
      const hosts = refresh ? [...this.latest.keys()] : [...this.dirty];
      this.dirty.clear();
      if (refresh) {
        this.lastRefresh = Date.now();
        // Rows of executors that died without cleaning up (readers already ignore them).
        await this.o.db
          .deleteFrom('circuit_states')
          .where('updated_at', '<', sql<Date>`now() - interval '1 hour'`)
          .execute()
          .catch(() => {});
      }
      if (hosts.length === 0) return;
      const clean = hosts.filter((h) => isClean(this.latest.get(h)!));
      const failing = hosts.filter((h) => !isClean(this.latest.get(h)!)).map((h) => this.latest.get(h)!);
      try {
        if (clean.length > 0) {
          await this.o.db
            .deleteFrom('circuit_states')
            .where('source', '=', this.o.source)
            .where('host', 'in', clean)
            .execute();
          for (const h of clean) this.latest.delete(h);
        }
        if (failing.length > 0)
          await this.o.db
            .insertInto('circuit_states')
            .values(
              failing.map((c) => ({
                source: this.o.source,
                host: c.host,
                state: c.state,
                failures: c.failures,
                opened_at: c.openedAt === null ? null : new Date(c.openedAt),
                next_try_at: c.nextTryAt === null ? null : new Date(c.nextTryAt),
              })),
            )
            .onConflict((oc) =>
              oc.columns(['source', 'host']).doUpdateSet((eb) => ({
                state: eb.ref('excluded.state'),
                failures: eb.ref('excluded.failures'),
                opened_at: eb.ref('excluded.opened_at'),
                next_try_at: eb.ref('excluded.next_try_at'),
                updated_at: sql<Date>`now()`,
              })),
            )
            .execute();
      } catch (err) {
        for (const h of hosts) this.dirty.add(h);
        this.log.warn('publishing circuit states failed', { source: this.o.source, error: (err as Error).message });
      }
    });
    return this.publishing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.publishing;
    await this.o.db
      .deleteFrom('circuit_states')
      .where('source', '=', this.o.source)
      .execute()
      .catch(() => {});
  }
}

/**
 * The circuits of the hosts a step called, read from the step's safe client after the step
 * (undefined when it made no calls or its fetch has no breaker).
 *
 * @example
 * circuitsAfter(fetch, calls); // → [{ host: 'api.example.com:443', state: 'open', failures: 5, ... }]
 */
export function circuitsAfter(fetch: NodeFetch, calls: readonly OutboundCall[]): CircuitSnapshot[] | undefined {
  const breaker = (fetch as Partial<SafeFetch>).breaker;
  if (!breaker?.enabled || calls.length === 0) return undefined;
  return [...new Set(calls.map((c) => c.host))].map((host) => breaker.state(host));
}

function isClean(c: CircuitSnapshot): boolean {
  return c.state === 'closed' && c.failures === 0;
}

function sameCircuit(a: CircuitSnapshot, b: CircuitSnapshot): boolean {
  return a.state === b.state && a.failures === b.failures && a.nextTryAt === b.nextTryAt;
}
