import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { ConnectionLimits, Database } from '@apiq/db';
import { RateLimitedError } from '@apiq/sdk';
import { listen, type Unlisten } from '../store/listen.ts';
import { createLogger, type Log } from '../log.ts';
import { holdBack, isHeldBack, reserveSendTime, type RatePlan } from './rate-store.ts';
import { freeSlot, renewSlots, SLOT_FREED_CHANNEL, takeSlot } from './slot-store.ts';
import type { RequestGate } from './request-gate.ts';

/** A connection with limits, as the limiter enforces them. */
export interface LimitedConnection {
  id: string;
  name: string;
  limits: ConnectionLimits;
}

export interface ConnectionLimiterOptions {
  db: Kysely<Database>;
  /** For LISTEN (slots freed by other executors). */
  pool: pg.Pool;
  /** Names this limiter's slot leases (the executor id). */
  owner: string;
  /**
   * Longest a request waits for its turn; beyond it the step gets a RateLimitedError and is
   * requeued (without using up its retry budget). Default 60 s.
   */
  maxWaitMs?: number;
  /** A slot lease lasts this long unless renewed (renewed every third of it while the request runs). Default 60 s. */
  leaseMs?: number;
  /** How long a connection's limits are cached. Default 5 s. */
  cacheMs?: number;
  /** A slot wait checks again at least this often (notifications usually come first). Default 500 ms. */
  pollMs?: number;
  log?: Log;
}

interface SlotWaiter {
  resolve(slot: number): void;
  reject(err: unknown): void;
  deadline: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Enforces connections' request limits for the steps of one executor, coordinated with every
 * other executor through PostgreSQL (docs/decisions/0010-per-connection-limits.md): a shared
 * GCRA schedule per connection for the rate, leased slots for concurrency. Requests over a limit
 * wait — in this process in the order they asked — up to `maxWaitMs`; a 429 holds the
 * connection back for everyone until its Retry-After.
 *
 * @example
 * const limiter = new ConnectionLimiter({ db, pool, owner: executor.id });
 * const gate = await limiter.gateFor(step.credentials); // undefined: no limited connection
 * const fetch = gate ? limitedFetch(safeFetch, gate, signal) : safeFetch;
 * await limiter.stop();
 */
export class ConnectionLimiter {
  private readonly holder: string;
  private readonly maxWaitMs: number;
  private readonly leaseMs: number;
  private readonly cacheMs: number;
  private readonly pollMs: number;
  private readonly log: Log;
  private readonly cache = new Map<string, { at: number; connection: LimitedConnection | null }>();
  private readonly queues = new Map<string, { waiters: SlotWaiter[]; pumping: boolean }>();
  /** Bumped whenever one of a connection's slots may have been freed. */
  private readonly freed = new Map<string, number>();
  private readonly wakers = new Map<string, Set<() => void>>();
  /** Bumped by each back-off, so requests that were already scheduled look again. */
  private readonly pauses = new Map<string, number>();
  /** Back-offs being written: a new send time is only taken once they are in. */
  private readonly holdBacks = new Map<string, Promise<void>>();
  private held = 0;
  private renewTimer?: NodeJS.Timeout;
  private listening?: Promise<Unlisten | undefined>;
  private stopped = false;

  constructor(private readonly o: ConnectionLimiterOptions) {
    this.holder = `${o.owner}:${randomUUID().slice(0, 8)}`;
    this.maxWaitMs = o.maxWaitMs ?? 60_000;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.cacheMs = o.cacheMs ?? 5_000;
    this.pollMs = o.pollMs ?? 500;
    this.log = o.log ?? createLogger({ component: 'connection-limits' });
  }

  /**
   * The gate for a step's credential refs (`{ [kindId]: credentialId }`), or undefined when none
   * of its connections is limited — then the step's fetch stays as it is.
   */
  async gateFor(refs: Record<string, string> | undefined): Promise<RequestGate | undefined> {
    const ids = [...new Set(Object.values(refs ?? {}))].filter((id) => UUID.test(id));
    if (ids.length === 0) return undefined;
    const limited = (await this.lookup(ids)).sort((a, b) => (a.id < b.id ? -1 : 1));
    if (limited.length === 0) return undefined;
    return {
      enter: (signal) => this.enter(limited, signal),
      backOff: async (ms) => {
        await Promise.all(limited.map((c) => this.backOff(c, ms)));
      },
    };
  }

  /** Stops renewing leases and listening; leases still held are freed by their requests or expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    const unlisten = await this.listening?.catch(() => undefined);
    await unlisten?.();
  }

  private async lookup(ids: string[]): Promise<LimitedConnection[]> {
    const now = Date.now();
    const missing = ids.filter((id) => {
      const hit = this.cache.get(id);
      return !hit || now - hit.at > this.cacheMs;
    });
    if (missing.length > 0) {
      const rows = await this.o.db
        .selectFrom('credentials')
        .select(['id', 'name', 'limits'])
        .where('id', 'in', missing)
        .execute();
      const found = new Map(rows.map((r) => [r.id, r]));
      if (this.cache.size > 10_000) this.cache.clear();
      for (const id of missing) {
        const row = found.get(id);
        const limits = usableLimits(row?.limits);
        this.cache.set(id, { at: now, connection: row && limits ? { id, name: row.name, limits } : null });
      }
    }
    return ids.map((id) => this.cache.get(id)?.connection).filter((c): c is LimitedConnection => !!c);
  }

  /** A concurrency slot of each connection (in id order, so two gates never wait on each other), then a send time. */
  private async enter(connections: LimitedConnection[], signal?: AbortSignal): Promise<() => void> {
    const deadline = Date.now() + this.maxWaitMs;
    const leaves: Array<() => void> = [];
    const leaveAll = () => {
      for (const leave of leaves.splice(0)) leave();
    };
    try {
      for (const c of connections) {
        if (c.limits.concurrency === undefined) continue;
        const slot = await this.takeSlot(c, deadline, signal);
        leaves.push(() => this.freeSlot(c.id, slot));
      }
      for (const c of connections) await this.awaitSendTime(c, deadline, signal);
    } catch (err) {
      leaveAll();
      throw err;
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leaveAll();
    };
  }

  private backOff(c: LimitedConnection, ms: number): Promise<void> {
    this.pauses.set(c.id, (this.pauses.get(c.id) ?? 0) + 1);
    const written = holdBack(this.o.db, c.id, ratePlan(c.limits), ms)
      .catch((err: Error) =>
        this.log.warn('could not record a back-off for a connection', { connectionId: c.id, error: err.message }),
      )
      .finally(() => {
        if (this.holdBacks.get(c.id) === written) this.holdBacks.delete(c.id);
      });
    this.holdBacks.set(c.id, written);
    return written;
  }

  private async awaitSendTime(c: LimitedConnection, deadline: number, signal?: AbortSignal): Promise<void> {
    const plan = ratePlan(c.limits);
    for (;;) {
      signal?.throwIfAborted();
      await this.holdBacks.get(c.id);
      const pause = this.pauses.get(c.id) ?? 0;
      const left = Math.max(0, deadline - Date.now());
      const reservation = await reserveSendTime(this.o.db, c.id, plan, left);
      if (!reservation.reserved) {
        const seconds = Math.ceil(reservation.waitMs / 1000);
        throw new RateLimitedError(
          `requests with connection "${c.name}" are queued more than ${Math.round(this.maxWaitMs / 1000)} s ahead (${describeLimits(c.limits)}); the step will try again in ${seconds} s`,
          reservation.waitMs,
        );
      }
      if (reservation.waitMs <= 0 && (this.pauses.get(c.id) ?? 0) === pause) return;
      if (reservation.waitMs > 0) await sleep(reservation.waitMs, signal);
      // A 429 (here or on another executor) arrived while this request waited: take a new send time.
      if ((this.pauses.get(c.id) ?? 0) === pause && !(await isHeldBack(this.o.db, c.id))) return;
    }
  }

  private takeSlot(c: LimitedConnection, deadline: number, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    let queue = this.queues.get(c.id);
    if (!queue) {
      queue = { waiters: [], pumping: false };
      this.queues.set(c.id, queue);
    }
    const q = queue;
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        const i = q.waiters.indexOf(waiter);
        if (i >= 0) q.waiters.splice(i, 1);
        reject(signal?.reason);
        this.wake(c.id);
      };
      const waiter: SlotWaiter = {
        deadline,
        resolve: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      q.waiters.push(waiter);
      void this.pump(c, q);
    });
  }

  /** Serves a connection's local waiters in order: the first one in line asks PostgreSQL for a slot. */
  private async pump(c: LimitedConnection, q: { waiters: SlotWaiter[]; pumping: boolean }): Promise<void> {
    if (q.pumping) return;
    q.pumping = true;
    try {
      while (q.waiters.length > 0) {
        const head = q.waiters[0]!;
        if (Date.now() >= head.deadline) {
          q.waiters.shift();
          head.reject(
            new RateLimitedError(
              `all ${c.limits.concurrency} concurrent requests allowed with connection "${c.name}" stayed busy for ${Math.round(this.maxWaitMs / 1000)} s; the step will try again`,
              1000,
            ),
          );
          continue;
        }
        const freedBefore = this.freed.get(c.id) ?? 0;
        let slot: number | undefined;
        try {
          slot = await takeSlot(this.o.db, c.id, c.limits.concurrency!, this.holder, this.leaseMs);
        } catch (err) {
          q.waiters.shift();
          head.reject(err);
          continue;
        }
        if (slot !== undefined) {
          this.held += 1;
          this.renewWhileHeld();
          if (q.waiters[0] === head) {
            q.waiters.shift();
            head.resolve(slot);
          } else {
            this.freeSlot(c.id, slot); // the waiter gave up meanwhile
          }
          continue;
        }
        if ((this.freed.get(c.id) ?? 0) !== freedBefore) continue;
        this.listenForFreedSlots();
        await this.nextWake(c.id, Math.min(this.pollMs, Math.max(1, head.deadline - Date.now())));
      }
    } finally {
      q.pumping = false;
      if (q.waiters.length === 0) this.queues.delete(c.id);
    }
  }

  private freeSlot(id: string, slot: number): void {
    this.held -= 1;
    if (this.held === 0) {
      clearInterval(this.renewTimer);
      this.renewTimer = undefined;
    }
    freeSlot(this.o.db, id, slot, this.holder)
      .catch((err: Error) =>
        this.log.warn('could not free a connection slot; its lease will expire', {
          connectionId: id,
          error: err.message,
        }),
      )
      .finally(() => this.wake(id));
  }

  private renewWhileHeld(): void {
    if (this.renewTimer || this.stopped) return;
    this.renewTimer = setInterval(() => {
      renewSlots(this.o.db, this.holder, this.leaseMs).catch((err: Error) =>
        this.log.warn('could not renew connection slot leases', { error: err.message }),
      );
    }, this.leaseMs / 3);
    this.renewTimer.unref();
  }

  private wake(id: string): void {
    this.freed.set(id, (this.freed.get(id) ?? 0) + 1);
    const wakers = this.wakers.get(id);
    if (!wakers) return;
    this.wakers.delete(id);
    for (const w of wakers) w();
  }

  private nextWake(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.wakers.get(id);
      if (!set) {
        set = new Set();
        this.wakers.set(id, set);
      }
      const wakers = set;
      const timer = setTimeout(() => {
        wakers.delete(done);
        resolve();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      wakers.add(done);
    });
  }

  /** Slots freed by other executors arrive as notifications; started the first time a request has to wait. */
  private listenForFreedSlots(): void {
    if (this.listening || this.stopped) return;
    this.listening = listen(this.o.pool, { [SLOT_FREED_CHANNEL]: (id) => this.wake(id) }, (err) =>
      this.log.warn('listen connection error', { error: err.message }),
    ).catch((err: Error) => {
      this.log.warn('cannot listen for freed connection slots; polling instead', { error: err.message });
      return undefined;
    });
  }
}

/** Limits as stored, if they limit anything (the vault validated them; this guards against hand edits). */
function usableLimits(raw: unknown): ConnectionLimits | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const positive = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  const limits: ConnectionLimits = {};
  const rps = positive(r.requestsPerSecond);
  const burst = positive(r.burst);
  const concurrency = positive(r.concurrency);
  if (rps !== undefined) limits.requestsPerSecond = rps;
  if (rps !== undefined && burst !== undefined) limits.burst = Math.floor(burst) || 1;
  if (concurrency !== undefined) limits.concurrency = Math.max(1, Math.floor(concurrency));
  return Object.keys(limits).length > 0 ? limits : undefined;
}

export function ratePlan(limits: ConnectionLimits): RatePlan {
  if (!limits.requestsPerSecond) return { intervalMs: 0, burst: 1 };
  return { intervalMs: 1000 / limits.requestsPerSecond, burst: limits.burst ?? 1 };
}

function describeLimits(limits: ConnectionLimits): string {
  const parts: string[] = [];
  if (limits.requestsPerSecond) parts.push(`${limits.requestsPerSecond} requests/s`);
  if (limits.burst) parts.push(`burst ${limits.burst}`);
  if (limits.concurrency) parts.push(`${limits.concurrency} at once`);
  return parts.length ? parts.join(', ') : 'held back by a 429';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
