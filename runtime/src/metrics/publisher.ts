import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { Database } from '@apiq/db';
import { createLogger, type Log } from '../log.ts';

export interface MetricsPublisherOptions {
  db: Kysely<Database>;
  registry: Registry;
  /** Names this process in the published series (the `executor` label); the executor id. */
  source: string;
  /** Default `APIQ_METRICS_PUBLISH_MS` or 5 s. */
  everyMs?: number;
  log?: Log;
}

/**
 * Copies a process's in-memory metrics into `metric_snapshots` every few seconds, where the web
 * process's `/metrics` reads them (docs/decisions/0009-metrics-across-processes.md). One small
 * upsert per period, nothing per run.
 *
 * @example
 * const publisher = new MetricsPublisher({ db, registry: metrics.registry, source: executor.id });
 * publisher.start();
 * await publisher.stop(); // removes this process's row
 */
export class MetricsPublisher {
  private timer?: NodeJS.Timeout;
  private publishing: Promise<void> = Promise.resolve();
  private readonly log: Log;

  constructor(private readonly o: MetricsPublisherOptions) {
    this.log = o.log ?? createLogger({ component: 'metrics' });
  }

  start(): void {
    this.timer = setInterval(
      () => void this.publish(),
      this.o.everyMs ?? Number(process.env.APIQ_METRICS_PUBLISH_MS ?? 5000),
    );
    this.timer.unref();
    void this.publish();
  }

  /** Publishes now (also what the timer does). */
  publish(): Promise<void> {
    this.publishing = this.publishing.then(async () => {
      try {
        const metrics = JSON.stringify(await this.o.registry.getMetricsAsJSON());
        await this.o.db
          .insertInto('metric_snapshots')
          .values({ source: this.o.source, metrics })
          .onConflict((oc) => oc.column('source').doUpdateSet({ metrics, updated_at: new Date() }))
          .execute();
      } catch (err) {
        this.log.warn('publishing metrics failed', { source: this.o.source, error: (err as Error).message });
      }
    });
    return this.publishing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.publishing;
    await this.o.db
      .deleteFrom('metric_snapshots')
      .where('source', '=', this.o.source)
      .execute()
      .catch(() => {});
  }
}
