import type { NodeRunState, NodeRunStatus, RunStatuses, WorkflowGraph } from './types.ts';

/**
 * One step attempt as the run API and the run event stream report it. Field names follow the
 * API's camelCase records; the snake_case database names are accepted too.
 */
export interface StepRecordLike {
  stepId?: string;
  step_id?: string;
  nodeId?: string;
  iteration?: string;
  attempt?: number;
  status: string;
  output?: unknown;
  /** Items the step produced (step events carry this instead of the output). */
  itemCount?: number | null;
  error?: unknown;
  durationMs?: number | null;
  duration_ms?: number | null;
}

const FINAL_RUN = new Set(['succeeded', 'failed', 'cancelled', 'dead']);

export function isFinalRunStatus(status: string): boolean {
  return FINAL_RUN.has(status);
}

function stepIdOf(record: StepRecordLike): string | undefined {
  return record.stepId ?? record.step_id ?? record.nodeId;
}

function itemCount(output: unknown): number | undefined {
  if (output === undefined) return undefined;
  if (Array.isArray(output)) return output.length;
  return output === null ? 0 : 1;
}

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return JSON.stringify(error);
}

function statusOf(record: StepRecordLike): NodeRunStatus {
  switch (record.status) {
    case 'running':
      return (record.attempt ?? 1) > 1 ? 'retrying' : 'running';
    case 'succeeded':
    case 'pinned':
    case 'reused':
    case 'compensated':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'interrupted':
      return 'retrying';
    case 'waiting':
      return 'waiting';
    case 'skipped':
      return 'skipped';
    default:
      return 'queued';
  }
}

/** Every enabled node queued: what the canvas shows the moment a run starts. */
export function queuedStatuses(graph: WorkflowGraph): RunStatuses {
  const out: RunStatuses = {};
  for (const node of graph.nodes) if (!node.disabled) out[node.id] = { status: 'queued' };
  return out;
}

const RANK: Record<NodeRunStatus, number> = {
  queued: 0,
  skipped: 1,
  succeeded: 2,
  waiting: 3,
  running: 4,
  retrying: 5,
  failed: 6,
};

/**
 * Per-node states from all step records seen so far (the snapshot plus every step event), laid
 * over `base` (usually `queuedStatuses`). For each step and loop item the latest attempt counts.
 * Inside a for-each, a step has one record per item: the node shows the count of finished items,
 * the summed duration and the most urgent status.
 *
 * @example
 * statuses = statusesFromRecords([{ stepId: 'code', attempt: 1, status: 'succeeded', output: [1, 2], durationMs: 12 }]);
 */
export function statusesFromRecords(records: readonly StepRecordLike[], base: RunStatuses = {}): RunStatuses {
  const next: RunStatuses = { ...base };
  const byStep = new Map<string, Map<string, StepRecordLike>>();
  for (const record of records) {
    const id = stepIdOf(record);
    if (id === undefined) continue;
    const iterations = byStep.get(id) ?? new Map<string, StepRecordLike>();
    const key = record.iteration ?? '';
    const seen = iterations.get(key);
    if (!seen || (record.attempt ?? 1) >= (seen.attempt ?? 1)) iterations.set(key, record);
    byStep.set(id, iterations);
  }
  for (const [id, iterations] of byStep) {
    const list = [...iterations.values()];
    next[id] =
      list.length === 1 && (list[0]?.iteration ?? '') === ''
        ? stateOf(list[0] as StepRecordLike)
        : mergeIterations(list);
  }
  return next;
}

function stateOf(r: StepRecordLike): NodeRunState {
  const state: NodeRunState = { status: statusOf(r) };
  const duration = r.durationMs ?? r.duration_ms;
  if (typeof duration === 'number') state.durationMs = duration;
  if (r.attempt !== undefined) state.attempt = r.attempt;
  if (state.status === 'succeeded') {
    const items = typeof r.itemCount === 'number' ? r.itemCount : itemCount(r.output);
    if (items !== undefined) state.items = items;
  }
  const error = errorText(r.error);
  if (error !== undefined && state.status !== 'succeeded') state.error = error;
  return state;
}

function mergeIterations(list: StepRecordLike[]): NodeRunState {
  let status: NodeRunStatus = 'queued';
  let items = 0;
  let duration = 0;
  let error: string | undefined;
  for (const r of list) {
    const s = stateOf(r);
    if (RANK[s.status] > RANK[status]) status = s.status;
    if (s.status === 'succeeded') items++;
    duration += s.durationMs ?? 0;
    error ??= s.error;
  }
  const state: NodeRunState = { status, items };
  if (duration > 0) state.durationMs = duration;
  if (error) state.error = error;
  return state;
}

/** When the run is over: nodes still queued did not run (a branch not taken) and lose their mark. */
export function settleStatuses(statuses: RunStatuses): RunStatuses {
  const out: RunStatuses = {};
  for (const [id, state] of Object.entries(statuses)) if (state.status !== 'queued') out[id] = state;
  return out;
}

/** `12 ms`, `1.4 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
