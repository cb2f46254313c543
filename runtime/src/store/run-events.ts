import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { listen, type Unlisten } from './listen.ts';
import { RUN_EVENT_CHANNEL } from './runs.ts';

export interface RunEvent {
  id: string;
  kind: 'response' | 'finished' | 'waiting';
  status: string;
  response?: { status: number; headers?: Record<string, string>; body: unknown };
}

type Waiter = (event: RunEvent) => void;

/**
 * Delivers run events (a webhook response is ready, a run finished) to whoever waits for them in
 * this process. Events that arrive just before a waiter registers are kept briefly, so the race
 * between "run created" and "run already answered" cannot lose a response.
 */
export class RunEventHub {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly recent = new Map<string, { event: RunEvent; at: number }[]>();
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private unlisten?: Unlisten;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly pool: pg.Pool,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await listen(this.pool, { [RUN_EVENT_CHANNEL]: (payload) => void this.dispatch(payload) });
    this.sweeper = setInterval(() => {
      const cutoff = Date.now() - 5000;
      for (const [id, list] of this.recent) if (list.every((e) => e.at < cutoff)) this.recent.delete(id);
    }, 2000);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.unlisten?.();
  }

  /** Resolves with the first event for `runId` that `accept` takes, or undefined after `timeoutMs`. */
  waitFor(runId: string, accept: (e: RunEvent) => boolean, timeoutMs: number): Promise<RunEvent | undefined> {
    const early = this.recent.get(runId)?.find((r) => accept(r.event));
    if (early) return Promise.resolve(early.event);
    return new Promise((resolve) => {
      const set = this.waiters.get(runId) ?? new Set<Waiter>();
      this.waiters.set(runId, set);
      const done = (e: RunEvent | undefined) => {
        clearTimeout(timer);
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(runId);
        resolve(e);
      };
      const waiter: Waiter = (e) => {
        if (accept(e)) done(e);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      set.add(waiter);
    });
  }

  /**
   * Calls `listener` with every run event this process receives (all runs); returns the
   * function that stops it.
   *
   * @example
   * const stop = hub.subscribe((e) => e.kind === 'finished' && console.log(e.id, e.status));
   */
  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async dispatch(payload: string): Promise<void> {
    let event: RunEvent & { large?: boolean };
    try {
      event = JSON.parse(payload) as RunEvent & { large?: boolean };
    } catch {
      return;
    }
    if (event.large) {
      const row = await this.db.selectFrom('runs').select(['response']).where('id', '=', event.id).executeTakeFirst();
      if (row?.response) event.response = row.response as RunEvent['response'];
    }
    for (const listener of this.listeners) listener(event);
    const waiting = this.waiters.get(event.id);
    if (waiting && waiting.size > 0) {
      for (const w of [...waiting]) w(event);
      return;
    }
    const list = this.recent.get(event.id) ?? [];
    list.push({ event, at: Date.now() });
    this.recent.set(event.id, list);
  }
}
