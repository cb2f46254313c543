import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Json } from '@apiq/sdk';
import type { IRStep, WorkflowIR } from '@apiq/graph';
import { DEFAULT_WORKSPACE_ID, jsonb, type Database } from '@apiq/db';
import { RUN_QUEUED_CHANNEL } from '../store/runs.ts';
import { loadVersionIR, inTransaction } from '../store/workflows.ts';

/** What a run started from the editor carries in `runs.state.editor`. */
export interface EditorRunState {
  /** Outputs by step id: such a step is not executed when reached; its pinned value is its output. */
  pinned?: Record<string, Json>;
  startAt?: string;
  only?: string;
  fromRunId?: string;
}

export interface EditorRunRequest {
  workflowId: string;
  versionId: string;
  workspaceId?: string;
  /** The trigger payload; default `{}`, or the payload of `fromRunId`. */
  input?: Json;
  pinned?: Record<string, Json>;
  /** Execute this step and everything downstream; the other steps' outputs come from `fromRunId` or pins. */
  startAt?: string;
  /** Execute only this step. */
  only?: string;
  fromRunId?: string;
}

/** A request that cannot start: the message says which node or run and what to do. */
export class EditorRunError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'EditorRunError';
  }
}

/** Step statuses of outputs the run takes as given: such steps count as done. */
export const SUPPLIED_STATUSES = new Set(['pinned', 'reused']);

/**
 * Starts a run from the editor: a manual run that publishes step events (for the live view) and
 * may take some outputs as given. Pinned steps are not executed when the run reaches them. With
 * `startAt` / `only`, the other steps are seeded before the run starts, as `reused` step rows
 * holding the outputs of `fromRunId` (or `skipped` when they are not needed); steps upstream of
 * the start that have no earlier output execute as usual. Run, seeds and wake-up are one
 * transaction.
 *
 * @example
 * const { runId } = await startEditorRun(db, { workflowId, versionId, startAt: 'transform', fromRunId });
 */
export async function startEditorRun(db: Kysely<Database>, req: EditorRunRequest): Promise<{ runId: string }> {
  if (req.startAt && req.only)
    throw new EditorRunError('Give either startAt (run from a node) or only (run one node), not both.', 'only');
  const ir = await loadVersionIR(db, req.versionId);
  const target = req.only ?? req.startAt;
  const targetField = req.only ? 'only' : 'startAt';
  if (target !== undefined) checkTarget(ir, target, targetField);
  for (const [id, value] of Object.entries(req.pinned ?? {})) {
    const step = ir.steps[id];
    if (!step) throw new EditorRunError(`pinned.${id}: the workflow has no node "${id}".`, `pinned.${id}`);
    if (step.construct === 'for_each' && !Array.isArray(value))
      throw new EditorRunError(`pinned.${id}: "${id}" is a for-each node; pin a list of items.`, `pinned.${id}`);
  }

  return inTransaction(db, async (tx) => {
    const from = req.fromRunId ? await loadFromRun(tx, req) : undefined;
    const runId = randomUUID();
    const editor: EditorRunState = {
      ...(req.pinned && Object.keys(req.pinned).length > 0 ? { pinned: req.pinned } : {}),
      ...(req.startAt ? { startAt: req.startAt } : {}),
      ...(req.only ? { only: req.only } : {}),
      ...(req.fromRunId ? { fromRunId: req.fromRunId } : {}),
    };
    const payload = req.input !== undefined ? req.input : (from?.payload ?? {});
    await tx
      .insertInto('runs')
      .values({
        id: runId,
        workspace_id: req.workspaceId ?? DEFAULT_WORKSPACE_ID,
        workflow_id: req.workflowId,
        version_id: req.versionId,
        trigger_kind: 'manual',
        trigger_payload: jsonb(payload),
        state: jsonb({ editor }),
      })
      .execute();
    const seeds =
      target !== undefined ? seedRows(ir, target, req.only !== undefined, req.pinned ?? {}, from?.rows ?? []) : [];
    if (seeds.length > 0)
      await tx
        .insertInto('step_attempts')
        .values(
          seeds.map((s) => ({ ...s, run_id: runId, output: jsonb(s.output), ports: s.ports ? jsonb(s.ports) : null })),
        )
        .execute();
    await sql`select pg_notify(${RUN_QUEUED_CHANNEL}, '')`.execute(tx);
    return { runId };
  });
}

/** The editor part of a run's state, when the run was started from the editor. */
export function editorRunState(state: unknown): EditorRunState | undefined {
  const editor = (state as { editor?: unknown } | null)?.editor;
  return editor && typeof editor === 'object' ? (editor as EditorRunState) : undefined;
}

/**
 * The output and ports of a pinned step. A pinned value travels on `main` (a for-each's on
 * `item`); for a branching node an object keyed by port names fires those ports, anything else
 * its first port.
 */
export function pinnedResult(step: IRStep, value: Json): { output: Json; ports: string[] } {
  if (step.construct === 'for_each') return { output: value, ports: ['item'] };
  const ports = Object.keys(step.outputs).filter((p) => p !== 'error');
  if (ports.length === 0 || ports.includes('main')) return { output: value, ports: ['main'] };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => ports.includes(k)))
      return { output: keys.length === 1 ? (value[keys[0]!] as Json) : value, ports: keys };
  }
  return { output: value, ports: [ports[0]!] };
}

function checkTarget(ir: WorkflowIR, id: string, field: string): void {
  const step = ir.steps[id];
  if (!step) throw new EditorRunError(`${field}: the workflow has no node "${id}".`, field);
  if (step.loop)
    throw new EditorRunError(
      `${field}: "${id}" is inside the for-each "${step.loop}"; start from the for-each node instead.`,
      field,
    );
  if (!ir.order.includes(id))
    throw new EditorRunError(`${field}: "${id}" is a compensation step; it only runs when a run fails.`, field);
}

interface PriorRow {
  step_id: string;
  iteration: string;
  status: string;
  node_type: string;
  output: unknown;
  ports: unknown;
  error: unknown;
}

async function loadFromRun(tx: Kysely<Database>, req: EditorRunRequest): Promise<{ payload: Json; rows: PriorRow[] }> {
  const run = await tx
    .selectFrom('runs')
    .select(['id', 'workflow_id', 'workspace_id', 'trigger_payload'])
    .where('id', '=', req.fromRunId!)
    .executeTakeFirst();
  if (!run || run.workspace_id !== (req.workspaceId ?? DEFAULT_WORKSPACE_ID))
    throw new EditorRunError(`fromRunId: there is no run ${req.fromRunId}.`, 'fromRunId');
  if (run.workflow_id !== req.workflowId)
    throw new EditorRunError(
      `fromRunId: run ${req.fromRunId} belongs to another workflow (${run.workflow_id}).`,
      'fromRunId',
    );
  // The newest usable attempt of each step and iteration.
  const rows = await tx
    .selectFrom('step_attempts')
    .select(['step_id', 'iteration', 'status', 'node_type', 'output', 'ports', 'error'])
    .distinctOn(['step_id', 'iteration'])
    .where('run_id', '=', run.id)
    .where((eb) =>
      eb.or([eb('status', 'in', ['succeeded', 'skipped', 'pinned', 'reused']), eb('ports', 'is not', null)]),
    )
    .orderBy('step_id')
    .orderBy('iteration')
    .orderBy('attempt', 'desc')
    .execute();
  return { payload: (run.trigger_payload ?? {}) as Json, rows };
}

interface Seed {
  step_id: string;
  iteration: string;
  attempt: number;
  status: 'reused' | 'skipped';
  node_type: string;
  input: null;
  output: unknown;
  ports: string[] | null;
  error: unknown;
}

/** Rows that make the run start at `target`: outputs reused where known, the rest skipped or left to run. */
function seedRows(
  ir: WorkflowIR,
  target: string,
  only: boolean,
  pinned: Record<string, Json>,
  prior: PriorRow[],
): Seed[] {
  const downstream = reachable(target, (s) => Object.values(ir.steps[s]?.outputs ?? {}).flat());
  const upstream = reachable(target, (s) => (ir.steps[s]?.inputs ?? []).map((i) => i.from));
  const byStep = new Map<string, PriorRow[]>();
  for (const row of prior) byStep.set(row.step_id, [...(byStep.get(row.step_id) ?? []), row]);
  const seeds: Seed[] = [];
  const skip = (step: IRStep): Seed => ({
    step_id: step.id,
    iteration: '',
    attempt: 1,
    status: 'skipped',
    node_type: step.type,
    input: null,
    output: null,
    ports: null,
    error: null,
  });
  for (const step of Object.values(ir.steps)) {
    if (step.id === target || step.id in pinned) continue;
    if (downstream.has(step.id)) {
      // Run only one node: what comes after it does not run.
      if (only && !step.loop) seeds.push(skip(step));
      continue;
    }
    const rows = byStep.get(step.id);
    if (rows && rows.length > 0) {
      for (const r of rows)
        seeds.push({
          step_id: step.id,
          iteration: r.iteration,
          attempt: 1,
          status: r.status === 'skipped' ? 'skipped' : 'reused',
          node_type: step.type,
          input: null,
          output: r.output ?? null,
          ports: (r.ports as string[] | null) ?? null,
          error: r.error ?? null,
        });
    } else if (!upstream.has(step.id) && !step.loop && ir.order.includes(step.id)) {
      // Not needed to reach the start node and nothing to reuse: not part of this run.
      seeds.push(skip(step));
    }
  }
  return seeds;
}

function reachable(start: string, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...next(id));
  }
  return seen;
}
