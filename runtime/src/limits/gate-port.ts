import type { MessagePort } from 'node:worker_threads';
import { RateLimitedError, serializeError, type SerializedError } from '@apiq/sdk';
import type { RequestGate } from './request-gate.ts';

/** Worker → executor thread. */
type GateRequest =
  | { t: 'enter'; n: number }
  | { t: 'leave'; n: number }
  | { t: 'abort'; n: number }
  | { t: 'backoff'; n: number; ms: number };
/** Executor thread → worker. */
type GateReply =
  | { t: 'entered'; n: number }
  | { t: 'refused'; n: number; error: SerializedError }
  | { t: 'backedoff'; n: number };

/**
 * Answers a worker thread's gate requests with the executor thread's gate (which holds the
 * database connection). Returns a function that ends the service, freeing whatever the worker
 * still held (a step that ended without finishing its requests).
 *
 * @example
 * const { port1, port2 } = new MessageChannel();
 * const close = serveGate(port1, gate); // port2 travels with the task
 * try { await pool.run(task, { transferList: [port2] }); } finally { close(); }
 */
export function serveGate(port: MessagePort, gate: RequestGate): () => void {
  const entries = new Map<number, { abort: AbortController; leave?: () => void }>();
  port.on('message', (msg: GateRequest) => {
    if (msg.t === 'backoff')
      return void gate
        .backOff(msg.ms)
        .finally(() => port.postMessage({ t: 'backedoff', n: msg.n } satisfies GateReply));
    if (msg.t === 'enter') {
      const entry: { abort: AbortController; leave?: () => void } = { abort: new AbortController() };
      entries.set(msg.n, entry);
      gate.enter(entry.abort.signal).then(
        (leave) => {
          if (entries.get(msg.n) !== entry) return leave();
          entry.leave = leave;
          port.postMessage({ t: 'entered', n: msg.n } satisfies GateReply);
        },
        (err: unknown) => {
          if (entries.get(msg.n) !== entry) return;
          entries.delete(msg.n);
          port.postMessage({ t: 'refused', n: msg.n, error: serializeError(err) } satisfies GateReply);
        },
      );
      return;
    }
    const entry = entries.get(msg.n);
    entries.delete(msg.n);
    if (!entry) return;
    if (entry.leave) entry.leave();
    else entry.abort.abort(new Error('request abandoned'));
  });
  return () => {
    for (const entry of entries.values()) {
      if (entry.leave) entry.leave();
      else entry.abort.abort(new Error('step ended'));
    }
    entries.clear();
    port.close();
  };
}

/**
 * A gate inside a worker thread that asks the executor thread's gate over `port`.
 *
 * @example
 * const gate = task.limitsPort ? gateOverPort(task.limitsPort) : undefined;
 */
export function gateOverPort(port: MessagePort): RequestGate {
  let next = 0;
  const pending = new Map<number, { resolve(): void; reject(err: unknown): void }>();
  port.on('message', (msg: GateReply) => {
    const waiter = pending.get(msg.n);
    pending.delete(msg.n);
    if (!waiter) return;
    if (msg.t === 'refused') waiter.reject(toError(msg.error));
    else waiter.resolve();
  });
  const send = (msg: GateRequest) => port.postMessage(msg);
  return {
    enter(signal) {
      signal?.throwIfAborted();
      const n = next++;
      return new Promise<() => void>((resolve, reject) => {
        const onAbort = () => {
          pending.delete(n);
          send({ t: 'abort', n });
          reject(signal?.reason);
        };
        pending.set(n, {
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            let left = false;
            resolve(() => {
              if (left) return;
              left = true;
              send({ t: 'leave', n });
            });
          },
          reject: (err) => {
            signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        });
        signal?.addEventListener('abort', onAbort, { once: true });
        send({ t: 'enter', n });
      });
    },
    backOff: (ms) =>
      new Promise<void>((resolve) => {
        const n = next++;
        pending.set(n, { resolve, reject: () => resolve() });
        send({ t: 'backoff', n, ms });
      }),
  };
}

function toError(e: SerializedError): Error {
  if (e.kind === 'rate_limited') return new RateLimitedError(e.message, e.retryAfterMs ?? 1000);
  return Object.assign(new Error(e.message), { name: e.name });
}
