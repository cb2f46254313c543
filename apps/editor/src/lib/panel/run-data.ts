import type { CompletionSources } from './expression-completion.ts';
import type { PreviewContext, StepError, WorkflowGraph } from './types.ts';
import { directParents, upstreamNodeIds } from './upstream.ts';

const DONE = new Set(['succeeded', 'pinned', 'reused']);

/** The parts of a step attempt (`runs.get` → `steps[]`) the panel reads. */
export interface StepLike {
  stepId: string;
  iteration: string;
  attempt: number;
  status: string;
  input?: unknown;
  output?: unknown;
  error?: unknown;
}

/** The parts of a run (`runs.get`) the panel reads; `input` is the run's trigger payload. */
export interface RunLike<S extends StepLike = StepLike> {
  id: string;
  workflowId: string;
  input?: unknown;
  steps: S[];
}

/**
 * A step's error as recorded (stored JSON), or undefined when there is none.
 *
 * @example stepError({ message: 'timeout', kind: 'retryable' }) // { message: 'timeout', kind: 'retryable' }
 */
export function stepError(error: unknown): StepError | undefined {
  if (error === null || error === undefined) return undefined;
  if (typeof error !== 'object') return { message: String(error) };
  const e = error as Record<string, unknown>;
  const out: StepError = { message: typeof e.message === 'string' ? e.message : JSON.stringify(error) };
  if (typeof e.kind === 'string') out.kind = e.kind;
  if (typeof e.name === 'string') out.name = e.name;
  if (typeof e.retryAfterMs === 'number') out.retryAfterMs = e.retryAfterMs;
  if (e.details !== undefined) out.details = e.details;
  return out;
}

/**
 * The attempts of one step in a run, in order (iteration, then attempt).
 *
 * @example attemptsOf(run, 'fetch').map((s) => s.attempt) // [1, 2]
 */
export function attemptsOf<S extends StepLike>(run: RunLike<S> | undefined, nodeId: string): S[] {
  if (!run) return [];
  return run.steps
    .filter((s) => s.stepId === nodeId)
    .sort((a, b) => compareIteration(a.iteration, b.iteration) || a.attempt - b.attempt);
}

/** The attempt to show for a step: the last attempt outside loops, else the last one recorded. */
export function latestAttempt<S extends StepLike>(run: RunLike<S> | undefined, nodeId: string): S | undefined {
  const attempts = attemptsOf(run, nodeId);
  const outside = attempts.filter((s) => s.iteration === '');
  return (outside.length > 0 ? outside : attempts).at(-1);
}

/** The output of every step that completed in the run (outside loops preferred), by node id. */
export function stepOutputs(run: RunLike | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!run) return out;
  const ids = new Set(run.steps.map((s) => s.stepId));
  for (const id of ids) {
    const done = attemptsOf(run, id).filter((s) => DONE.has(s.status));
    const pick = done.filter((s) => s.iteration === '').at(-1) ?? done.at(-1);
    if (pick && pick.output !== undefined && pick.output !== null) out[id] = pick.output;
  }
  return out;
}

export interface SampleData {
  /** The variables an expression on this node sees, from the last run and pinned data. */
  context: PreviewContext;
  /** What completion offers. */
  sources: CompletionSources;
  /** False when there is no run data or pinned data to preview against yet. */
  hasSample: boolean;
}

/**
 * Sample data for a node's expressions: the trigger's output, the outputs of upstream steps
 * (pinned data wins over the last run, as it does when the editor runs) and the node's input
 * (recorded by the run, else its single parent's output).
 *
 * @example sampleDataFor(graph, 'notify', run, { fetch: { ok: true } }).context.steps.fetch // { ok: true }
 */
export function sampleDataFor(
  graph: Pick<WorkflowGraph, 'nodes' | 'edges'>,
  nodeId: string,
  run: RunLike | undefined,
  pins: Record<string, unknown> = {},
): SampleData {
  const outputs = { ...stepOutputs(run), ...pins };
  const upstream = upstreamNodeIds(graph, nodeId);
  const steps: Record<string, unknown> = {};
  for (const id of upstream) if (outputs[id] !== undefined) steps[id] = outputs[id];

  const roots = graph.nodes.filter((n) => !graph.edges.some((e) => e.target === n.id)).map((n) => n.id);
  const triggerId = roots.find((id) => upstream.includes(id) || id === nodeId);
  const trigger = (triggerId === undefined ? undefined : outputs[triggerId]) ?? nullToUndefined(run?.input);

  const own = latestAttempt(run, nodeId);
  const parents = directParents(graph, nodeId);
  const input = nullToUndefined(own?.input) ?? (parents.length === 1 ? outputs[parents[0]!] : undefined);

  const context: PreviewContext = { steps };
  if (trigger !== undefined) context.trigger = trigger;
  if (input !== undefined) context.input = input;

  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const sources: CompletionSources = {
    upstream: upstream.map((id) => ({ id, ...(names.get(id) ? { name: names.get(id)! } : {}) })),
    trigger,
    input,
    steps,
  };
  return {
    context,
    sources,
    hasSample: trigger !== undefined || input !== undefined || Object.keys(steps).length > 0,
  };
}

function nullToUndefined(v: unknown): unknown {
  return v === null ? undefined : v;
}

function compareIteration(a: string, b: string): number {
  const pa = a === '' ? [] : a.split('.').map(Number);
  const pb = b === '' ? [] : b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
