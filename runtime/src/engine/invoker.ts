import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { CatalogEntry, NodeCatalog, NodeFetch } from '@apiq/sdk';
import { createSafeFetch } from '@apiq/http';
import { invokeDefinition, type InvocationResult, type StepInvocation } from './invocation.ts';
import type { PoolTask } from './pool-worker.ts';
import { serveGate } from '../limits/gate-port.ts';
import type { RequestGate } from '../limits/request-gate.ts';

/**
 * Built-in nodes that only reshape data in O(input) time, the built-in HTTP Request node
 * (asynchronous I/O through the safe client, no CPU-bound work) and the Code node (the user's
 * JavaScript runs on isolated-vm's own threads, under its time and memory limits; the executor
 * thread only copies data in and out) run in the executor thread: a hop to a worker costs more
 * than they do. Everything else — third-party plugins — runs in the worker pool, off the thread
 * that heartbeats leases.
 */
export const INLINE_NODE_TYPES: ReadonlySet<string> = new Set([
  'core.manual_trigger',
  'core.webhook_trigger',
  'core.schedule_trigger',
  'core.respond_webhook',
  'core.if',
  'core.switch',
  'core.set',
  'core.merge',
  'core.for_each',
  'core.aggregate',
  'core.wait',
  'core.stop_error',
  'core.no_op',
  'core.http_request',
  'core.code',
]);

const CANCELLED: InvocationResult = {
  ok: false,
  logs: [],
  error: { kind: 'cancelled', name: 'Cancelled', message: 'step was cancelled' },
};

export interface Invoker {
  /** `gate`: the step uses a connection with limits; each of its requests waits for its turn. */
  invoke(inv: StepInvocation, signal?: AbortSignal, gate?: RequestGate): Promise<InvocationResult>;
  close(): Promise<void>;
  readonly poolSize: number;
  /** The worker pool now (undefined until its first task): threads, utilisation 0..1, queued tasks. */
  stats?(): { threads: number; utilization: number; queued: number } | undefined;
}

export interface InvokerOptions {
  catalog: NodeCatalog;
  /** Worker threads (default: cores, at least 2). */
  threads?: number;
  fetch?: NodeFetch;
}

export function createInvoker(options: InvokerOptions): Invoker {
  const threads = options.threads ?? Math.max(2, availableParallelism());
  const fetch = options.fetch ?? createSafeFetch();
  let pool: Piscina | undefined;
  const getPool = () => {
    pool ??= new Piscina({
      filename: fileURLToPath(new URL('./pool-worker-entry.mjs', import.meta.url)),
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 8,
      env: process.env as Record<string, string>,
    });
    return pool;
  };
  return {
    poolSize: threads,
    stats: () =>
      pool ? { threads: pool.threads.length, utilization: pool.utilization, queued: pool.queueSize } : undefined,
    async invoke(inv, signal, gate) {
      const entry: CatalogEntry | undefined = options.catalog.entry(inv.type, inv.version);
      if (!entry) {
        return {
          ok: false,
          logs: [],
          error: {
            kind: 'fatal',
            name: 'UnknownNodeType',
            message: `node type ${inv.type}@${inv.version} is not installed on this executor`,
          },
        };
      }
      if (INLINE_NODE_TYPES.has(inv.type) || !entry.source)
        return invokeDefinition(entry.def, inv, fetch, signal, gate);
      // Piscina runs a task that carries an AbortSignal alone on its thread (aborting it kills the
      // thread), so cancellation travels over a port instead and threads stay shared.
      const { port1, port2 } = new MessageChannel();
      const limits = gate ? new MessageChannel() : undefined;
      const stopServingGate = limits && gate ? serveGate(limits.port1, gate) : undefined;
      const task: PoolTask = {
        module: entry.source.module,
        exportName: entry.source.exportName,
        invocation: inv,
        cancelPort: port2,
        ...(limits ? { limitsPort: limits.port2 } : {}),
      };
      const onAbort = () => port1.postMessage('cancel');
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const transferList = limits ? [port2, limits.port2] : [port2];
        const running = getPool().run(task, { transferList }) as Promise<InvocationResult>;
        if (!signal) return await running;
        const cancelled = new Promise<InvocationResult>((resolve) => {
          if (signal.aborted) resolve(CANCELLED);
          signal.addEventListener('abort', () => resolve(CANCELLED), { once: true });
        });
        return await Promise.race([running, cancelled]);
      } catch (err) {
        const e = err as Error;
        const aborted = e.name === 'AbortError' || signal?.aborted;
        return {
          ok: false,
          logs: [],
          error: aborted
            ? { kind: 'cancelled', name: 'Cancelled', message: 'step was cancelled' }
            : { kind: 'retryable', name: e.name || 'WorkerError', message: `worker failed: ${e.message}` },
        };
      } finally {
        signal?.removeEventListener('abort', onAbort);
        port1.close();
        stopServingGate?.();
      }
    },
    async close() {
      await pool?.destroy();
    },
  };
}
