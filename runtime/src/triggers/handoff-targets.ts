import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

export interface HandoffTargetsOptions {
  db: Kysely<Database>;
  /** How often the list of live executors is read. Default 2 s. */
  refreshMs?: number;
  /** An executor counts as live while its heartbeat is this recent. Default 30 s. */
  liveMs?: number;
  /** Runs this process may have handed to one executor and still be waiting on. Default 32. */
  maxOutstanding?: number;
  onError?: (err: Error) => void;
}

/**
 * The executors a web process may hand synchronous webhook runs to (see store/handoff.ts):
 * those with a recent heartbeat, in turn, each with at most `maxOutstanding` runs this process
 * is still waiting on. With none available, runs go through the queue as usual.
 *
 * @example
 * const targets = new HandoffTargets({ db });
 * await targets.start();
 * const executorId = targets.pick(); // then targets.started(id) … targets.finished(id)
 */
export class HandoffTargets {
  private live: string[] = [];
  private next = 0;
  private readonly outstanding = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: HandoffTargetsOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A live executor with room, taking turns; undefined when there is none. */
  pick(): string | undefined {
    const max = this.o.maxOutstanding ?? 32;
    for (let i = 0; i < this.live.length; i++) {
      const id = this.live[(this.next + i) % this.live.length]!;
      if ((this.outstanding.get(id) ?? 0) < max) {
        this.next = (this.next + i + 1) % this.live.length;
        return id;
      }
    }
    return undefined;
  }

  started(executorId: string): void {
    this.outstanding.set(executorId, (this.outstanding.get(executorId) ?? 0) + 1);
  }

  finished(executorId: string): void {
    const n = (this.outstanding.get(executorId) ?? 0) - 1;
    if (n > 0) this.outstanding.set(executorId, n);
    else this.outstanding.delete(executorId);
  }

  private async refresh(): Promise<void> {
    try {
      const liveMs = this.o.liveMs ?? 30_000;
      const rows = await this.o.db
        .selectFrom('executors')
        .select('id')
        .where('heartbeat_at', '>', sql<Date>`now() - ${liveMs} * interval '1 millisecond'`)
        .orderBy('id')
        .execute();
      this.live = rows.map((r) => r.id);
    } catch (err) {
      this.o.onError?.(err as Error);
    }
  }
}
