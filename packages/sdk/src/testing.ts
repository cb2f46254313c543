import type { z } from 'zod';
import type { Json, LogEntry, NodeContext, NodeDefinition, NodeFetch, NodeResult, RunInfo } from './types.ts';
import type { TestApi } from './test-api.ts';

export { startTestApi } from './test-api.ts';
export type { TestApi, TestApiReply, TestApiRequest, TestApiRoute, TestApiRoutes } from './test-api.ts';

export interface TestRunOptions {
  /** Raw params, as in a workflow graph; parsed with the node's schema (defaults applied). */
  params?: unknown;
  input?: Json;
  inputs?: Record<string, Json>;
  trigger?: Json;
  loop?: { item: Json; index: number };
  credentials?: Record<string, Record<string, string>>;
  /**
   * Defaults to a fetch that refuses (or, with `api`, the test API's fetch): pass
   * `createSafeFetch({ allow: [...] })` to reach another local test server.
   */
  fetch?: NodeFetch;
  /** A test API from `startTestApi`: the node's fetch is the platform's safe client, opened to it. */
  api?: TestApi;
  state?: Json;
  idempotencyKey?: string;
  signal?: AbortSignal;
  run?: Partial<RunInfo>;
}

export interface TestContext<P> extends NodeContext<P> {
  /** What the node logged. */
  logs: LogEntry[];
  /** The state after the run (what `ctx.state.set` stored last). */
  readState(): Json | undefined;
}

/**
 * A node context for tests: everything a node's `run` receives, with sensible defaults, logs
 * collected and state kept in memory.
 *
 * @example
 * const ctx = testContext({ greeting: 'hi' }, { input: { name: 'Ada' } });
 * const result = await greet.run(ctx);
 */
export function testContext<P>(params: P, options: Omit<TestRunOptions, 'params'> = {}): TestContext<P> {
  const logs: LogEntry[] = [];
  let state = options.state;
  const push = (level: LogEntry['level']) => (message: string, data?: Json) => {
    logs.push({ level, message, ...(data === undefined ? {} : { data }), at: new Date().toISOString() });
  };
  return {
    params,
    input: options.input ?? null,
    inputs: options.inputs ?? (options.input === undefined ? {} : { main: options.input }),
    trigger: options.trigger ?? null,
    ...(options.loop ? { loop: options.loop } : {}),
    credentials: options.credentials ?? {},
    fetch: options.fetch ?? options.api?.fetch ?? (() => Promise.reject(new Error('this test gave the node no fetch'))),
    log: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
    signal: options.signal ?? new AbortController().signal,
    idempotencyKey: options.idempotencyKey ?? 'test-run:test-step:',
    state: { get: () => state, set: (v) => void (state = v) },
    run: {
      runId: 'test-run',
      workflowId: 'test-workflow',
      stepId: 'test-step',
      attempt: 1,
      iteration: '',
      ...options.run,
    },
    logs,
    readState: () => state,
  };
}

/**
 * Runs a node as the engine would: params are parsed with the node's schema first (a bad param
 * throws the zod error), then `run` is called with a test context.
 *
 * @example
 * const api = await startTestApi({ 'POST /tickets': { status: 201, json: { id: 7 } } });
 * const { result } = await runNode(createTicket, {
 *   params: { subject: 'Refund' },
 *   credentials: { acme: { apiKey: 'k', baseUrl: api.url } },
 *   api,
 * });
 * api.requests[0].json; // → { subject: 'Refund' }
 */
export async function runNode<S extends z.ZodType>(
  def: NodeDefinition<S>,
  options: TestRunOptions = {},
): Promise<{ result: NodeResult; logs: LogEntry[]; state: Json | undefined }> {
  const params = def.params.parse(options.params ?? {}) as z.infer<S>;
  const ctx = testContext(params, options);
  const result = await def.run(ctx);
  return { result, logs: ctx.logs, state: ctx.readState() };
}

/**
 * The error `work` rejects (or throws) with; fails the test when it succeeds instead.
 *
 * @example
 * const err = await rejectionOf(runNode(stopError, { params: { message: 'no' } }));
 * expect(err.message).toBe('no');
 */
export async function rejectionOf<E = Error>(work: Promise<unknown> | unknown): Promise<E> {
  try {
    await work;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a failure, but it succeeded');
}
