import type { Json, LogEntry, NodeDefinition, NodeFetch, NodeResult, RunInfo, SerializedError } from '@apiq/sdk';
import { serializeError, NodeError } from '@apiq/sdk';
import type { CircuitSnapshot, OutboundCall } from '@apiq/http';
import { limitedFetch } from '../credentials/limited-fetch.ts';
import { circuitsAfter } from '../limits/circuit-board.ts';
import type { RequestGate } from '../limits/request-gate.ts';

/** Everything a node run needs, as plain data (it crosses into worker threads). */
export interface StepInvocation {
  type: string;
  version: number;
  params: unknown;
  input: Json;
  inputs: Record<string, Json>;
  trigger: Json;
  loop?: { item: Json; index: number };
  credentials: Record<string, Record<string, string>>;
  idempotencyKey: string;
  state: Json | undefined;
  run: RunInfo;
  timeoutMs: number;
}

/**
 * `calls`: the step's outbound HTTP calls through `ctx.fetch` (host, status, timing), for metrics.
 * `circuits`: the breaker state of each host it called afterwards, for the connections' view.
 */
export type InvocationResult =
  | {
      ok: true;
      result: NodeResult;
      logs: LogEntry[];
      state: Json | undefined;
      stateChanged: boolean;
      calls?: OutboundCall[];
      circuits?: CircuitSnapshot[];
    }
  | { ok: false; error: SerializedError; logs: LogEntry[]; calls?: OutboundCall[]; circuits?: CircuitSnapshot[] };

const MAX_LOGS = 200;
const MAX_CALLS = 100;

/**
 * Runs a node definition with a context built from the invocation. Shared by the inline path
 * (in the executor thread) and the worker-pool path, so both behave identically. With a `gate`
 * (the step uses a connection with limits), every request waits for its turn first.
 */
export async function invokeDefinition(
  def: NodeDefinition,
  inv: StepInvocation,
  fetch: NodeFetch,
  outerSignal?: AbortSignal,
  gate?: RequestGate,
): Promise<InvocationResult> {
  const logs: LogEntry[] = [];
  const push = (level: LogEntry['level']) => (message: string, data?: Json) => {
    if (logs.length < MAX_LOGS)
      logs.push({
        level,
        message: String(message).slice(0, 4000),
        ...(data === undefined ? {} : { data }),
        at: new Date().toISOString(),
      });
  };
  let state = inv.state;
  let stateChanged = false;
  const calls: OutboundCall[] = [];
  const observe = (call: OutboundCall) => {
    if (calls.length < MAX_CALLS) calls.push(call);
  };
  const controller = new AbortController();
  const stepFetch = gate ? limitedFetch(fetch, gate, controller.signal) : fetch;
  // The safe client reports each call to a per-call `observe`; other fetches ignore the field.
  const observedFetch: NodeFetch = (url, init) => stepFetch(url, { ...init, observe } as RequestInit);
  const timer = setTimeout(
    () => controller.abort(new NodeError('timeout', `step timed out after ${inv.timeoutMs} ms`)),
    inv.timeoutMs,
  );
  const onOuterAbort = () => controller.abort(outerSignal?.reason);
  outerSignal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const running = Promise.resolve(
      def.run({
        params: inv.params as never,
        input: inv.input,
        inputs: inv.inputs,
        trigger: inv.trigger,
        ...(inv.loop ? { loop: inv.loop } : {}),
        credentials: inv.credentials,
        fetch: observedFetch,
        log: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
        signal: controller.signal,
        idempotencyKey: inv.idempotencyKey,
        state: {
          get: () => state,
          set: (value) => {
            state = value;
            stateChanged = true;
          },
        },
        run: inv.run,
      }),
    );
    const aborted = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(controller.signal.reason);
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const result = await Promise.race([running, aborted]);
    checkResult(def, result);
    return { ok: true, result: toPlain(result), logs, state, stateChanged, ...reported(fetch, calls) };
  } catch (err) {
    return { ok: false, error: serializeError(err), logs, ...reported(fetch, calls) };
  } finally {
    clearTimeout(timer);
    outerSignal?.removeEventListener('abort', onOuterAbort);
  }
}

function reported(fetch: NodeFetch, calls: OutboundCall[]): { calls?: OutboundCall[]; circuits?: CircuitSnapshot[] } {
  if (calls.length === 0) return {};
  const circuits = circuitsAfter(fetch, calls);
  return circuits ? { calls, circuits } : { calls };
}

function checkResult(def: NodeDefinition, result: unknown): asserts result is NodeResult {
  if (typeof result !== 'object' || result === null || !('output' in result || 'ports' in result)) {
    throw new NodeError('fatal', `node ${def.id} returned ${describe(result)}; expected { output } or { ports }`);
  }
  if ('ports' in result) {
    const ports = (result as { ports: unknown }).ports;
    if (typeof ports !== 'object' || ports === null)
      throw new NodeError('fatal', `node ${def.id} returned ports that are not an object`);
    const unknown = Object.keys(ports).filter((p) => !def.outputs.includes(p));
    if (unknown.length)
      throw new NodeError('fatal', `node ${def.id} fired unknown output port(s): ${unknown.join(', ')}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Output must be JSON: what is stored is exactly what later steps and the UI see. */
function toPlain(result: NodeResult): NodeResult {
  try {
    return JSON.parse(JSON.stringify(result, (_k, v) => (v === undefined ? null : v))) as NodeResult;
  } catch (err) {
    throw new NodeError('fatal', `node output is not JSON-serialisable: ${(err as Error).message}`);
  }
}
