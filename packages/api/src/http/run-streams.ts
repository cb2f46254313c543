import { subscribeStepEvents, type RunEvent, type StepEvent, type Unlisten } from '@apiq/runtime';
import type { ApiDeps } from '../deps.ts';

/**
 * The process-wide subscriptions behind the SSE endpoints: one LISTEN connection for step events,
 * held only while some stream needs it, and the run event hub. Streams register listeners and
 * must remove them when they close.
 */
export class RunStreams {
  private readonly stepListeners = new Set<(e: StepEvent) => void>();
  private readonly runListeners = new Set<(e: RunEvent) => void>();
  private unlisten: Promise<Unlisten> | undefined;
  private unsubscribeHub: (() => void) | undefined;
  /** Open SSE streams (for tests and metrics). */
  open = 0;

  constructor(private readonly deps: ApiDeps) {}

  /** Whether the step-event LISTEN connection is held. */
  get listening(): boolean {
    return this.unlisten !== undefined;
  }

  /** Listens for step events; resolves once the LISTEN is in place. Returns the remover. */
  async onStep(listener: (e: StepEvent) => void): Promise<() => void> {
    this.stepListeners.add(listener);
    this.unlisten ??= subscribeStepEvents(this.deps.pool, (e) => {
      for (const l of this.stepListeners) l(e);
    });
    try {
      await this.unlisten;
    } catch (err) {
      this.stepListeners.delete(listener);
      this.unlisten = undefined;
      throw err;
    }
    return () => {
      this.stepListeners.delete(listener);
      if (this.stepListeners.size === 0 && this.unlisten) {
        const held = this.unlisten;
        this.unlisten = undefined;
        void held.then((stop) => stop()).catch(() => undefined);
      }
    };
  }

  /** Listens for run events (response, waiting, finished) of every run. Returns the remover. */
  onRun(listener: (e: RunEvent) => void): () => void {
    this.runListeners.add(listener);
    this.unsubscribeHub ??= this.deps.hub.subscribe((e) => {
      for (const l of this.runListeners) l(e);
    });
    return () => {
      this.runListeners.delete(listener);
      if (this.runListeners.size === 0) {
        this.unsubscribeHub?.();
        this.unsubscribeHub = undefined;
      }
    };
  }

  async close(): Promise<void> {
    this.stepListeners.clear();
    this.runListeners.clear();
    this.unsubscribeHub?.();
    this.unsubscribeHub = undefined;
    const held = this.unlisten;
    this.unlisten = undefined;
    if (held) await held.then((stop) => stop()).catch(() => undefined);
  }
}
