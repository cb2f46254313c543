import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Json, NodeCatalog, NodeResult, RespondInstruction, SerializedError } from '@apiq/sdk';
import { hasExpressions, resolveParams, type IRStep, type WorkflowIR } from '@apiq/graph';
import type { Database, Run, StepStatus } from '@apiq/db';
import { commitRunWrites, type Fence, type RunChange, type StepRow, type WriteBatcher } from './step-writer.ts';
import { INLINE_NODE_TYPES, type Invoker } from './invoker.ts';
import { nextRetryDelay } from './retry.ts';
import { loadStepCredentials, redactResult, type CredentialResolver } from '../credentials/index.ts';
import { editorRunState, pinnedResult, SUPPLIED_STATUSES } from './editor-runs.ts';
import { StepEventPublisher, stepEventOf } from '../store/step-events.ts';
import type { EngineMetrics } from '../metrics/engine-metrics.ts';
import type { Log } from '../log.ts';
import type { ConnectionLimiter } from '../limits/connection-limiter.ts';
import type { CircuitBoard } from '../limits/circuit-board.ts';

export interface ExecutionDeps {
  db: Kysely<Database>;
  catalog: NodeCatalog;
  invoker: Invoker;
  owner: string;
  /** Hot-path writes run as prepared statements on this pool. */
  pool?: pg.Pool;
  /** Combines this run's writes with those of other runs on the same executor. */
  writer?: WriteBatcher;
  /** Called when the run was put back in the queue to be picked up after `delayMs`. */
  onRequeued?(delayMs: number): void;
  /** Decrypts the credentials steps reference (the vault's resolver); without it such steps fail. */
  resolveCredentials?: CredentialResolver;
  /** Step counts, durations and outbound calls (in memory; published elsewhere). */
  metrics?: EngineMetrics;
  /** Failed runs are logged with their run, workflow and step ids. */
  log?: Log;
  /** Enforces connections' request limits (steps whose connections have none are not touched). */
  limiter?: ConnectionLimiter;
  /** Collects the circuit breaker states steps saw, for the connections' view. */
  circuits?: CircuitBoard;
}

/** How one pass over a run ended. */
export type ExecutionOutcome = 'succeeded' | 'failed' | 'cancelled' | 'requeued' | 'waiting' | 'dead';

interface StepRecord {
  status: StepStatus;
  attempt: number;
  output: Json;
  ports: string[];
  error?: SerializedError;
  /** Attempts of this step so far that ended rate-limited (they do not use up the retry budget). */
  rateLimited?: number;
}

interface LoopFrame {
  loopId: string;
  item: Json;
  index: number;
}

class Suspend {
  constructor(readonly outcome: ExecutionOutcome) {}
}

const DEAD_AFTER_RECOVERIES = 3;
const key = (stepId: string, iteration: string) => `${stepId}#${iteration}`;

/**
 * Executes one claimed run against its compiled IR. Completed steps (from earlier passes or
 * earlier executors) are loaded and never run again; each pass continues where the last ended.
 *
 * Writes are batched: rows of side-effect-free steps wait in `pending` and go out with the next
 * write, which happens before any side-effecting step starts (its "running" row is written
 * first, so a crash leaves a visible interrupted attempt), at a webhook response, and at the end.
 */
export class RunExecution {
  private readonly records = new Map<string, StepRecord>();
  private readonly pending: StepRow[] = [];
  private readonly depth = new Map<string, number>();
  private readonly fence: Fence;
  private readonly state: Record<string, unknown>;
  private lastOutput: Json = null;
  private cautious: boolean;
  private responded = false;
  private unsentResponse: RespondInstruction | undefined;
  private unflushedCompletion = false;
  private pauseRequested = false;
  /** `state` changed since the last write (a resume token was made). */
  private stateDirty = false;
  cancelRequested = false;
  private readonly abort = new AbortController();
  /** Runs started from the editor publish step events for the live view. */
  private readonly stepEvents: StepEventPublisher | undefined;

  constructor(
    private readonly deps: ExecutionDeps,
    private readonly run: Run,
    private readonly ir: WorkflowIR,
    /** The run's fence; give one to record a run handed over unrecorded (see `Fence.record`). */
    fence?: Fence,
  ) {
    this.fence = fence ?? { runId: run.id, owner: deps.owner, token: Number(run.lease_token) };
    this.state = { ...((run.state as Record<string, unknown> | null) ?? {}) };
    // After a crash, record every step start so the next crash names the step that caused it.
    this.cautious = Number(run.recoveries) > 0;
    for (const id of Object.keys(ir.steps)) this.depth.set(id, this.loopDepth(id));
    this.stepEvents = editorRunState(this.state) ? new StepEventPublisher(deps.db, run.id) : undefined;
  }

  /** Parks the run (status waiting, resumable with resumeRun) before its next step. */
  pause(): void {
    this.pauseRequested = true;
  }

  /** Stops the step in flight and ends the run as cancelled at the next boundary. */
  cancel(): void {
    this.cancelRequested = true;
    this.abort.abort(new Error('run cancelled'));
  }

  async execute(): Promise<ExecutionOutcome> {
    try {
      if (Number(this.run.recoveries) >= DEAD_AFTER_RECOVERIES) return await this.deadLetter();
      if (this.run.cancel_requested) return await this.finishCancelled();
      if (!this.isFreshRun()) await this.loadHistory();
      await this.runScope(this.ir.order, '', []);
      return await this.finishSucceeded();
    } catch (err) {
      if (err instanceof Suspend) return err.outcome;
      throw err;
    }
  }

  private isFreshRun(): boolean {
    return Number(this.run.lease_token) === 1 && Number(this.run.recoveries) === 0 && this.run.state === null;
  }

  private async loadHistory(): Promise<void> {
    const rows = await this.deps.db
      .selectFrom('step_attempts')
      .select(['step_id', 'iteration', 'attempt', 'status', 'output', 'ports', 'error'])
      .where('run_id', '=', this.run.id)
      .orderBy('attempt')
      .execute();
    const interrupted: StepRow[] = [];
    for (const r of rows) {
      const k = key(r.step_id, r.iteration);
      if (r.status === 'running') {
        // The executor that started this attempt died: the attempt is over, a new one follows.
        interrupted.push(
          this.row(
            this.ir.steps[r.step_id],
            r.iteration,
            r.attempt,
            'interrupted',
            null,
            null,
            {
              kind: 'retryable',
              name: 'Interrupted',
              message: 'the executor running this step stopped before it finished; the step was run again',
            },
            new Date(),
            new Date(),
          ),
        );
      }
      const rateLimited =
        (this.records.get(k)?.rateLimited ?? 0) +
        ((r.error as SerializedError | null)?.kind === 'rate_limited' ? 1 : 0);
      this.records.set(k, {
        status: r.status === 'running' ? 'interrupted' : r.status,
        attempt: r.attempt,
        output: (r.output ?? null) as Json,
        ports: (r.ports as string[] | null) ?? [],
        ...(r.error ? { error: r.error as SerializedError } : {}),
        ...(rateLimited > 0 ? { rateLimited } : {}),
      });
    }
    if (interrupted.length > 0) await this.commit(interrupted);
  }

  // ---- walking the graph -------------------------------------------------------------------

  private async runScope(order: string[], iteration: string, frames: LoopFrame[]): Promise<void> {
    for (const stepId of order) {
      const step = this.ir.steps[stepId]!;
      const rec = this.records.get(key(stepId, iteration));
      const completed = rec && (rec.status === 'succeeded' || SUPPLIED_STATUSES.has(rec.status));
      if (rec && (completed || rec.status === 'skipped')) {
        if (step.construct === 'for_each' && completed) await this.runLoop(step, rec.output, iteration, frames);
        if (completed) this.lastOutput = rec.output;
        continue;
      }
      if (rec && rec.status === 'failed' && rec.ports.includes('error')) continue;
      await this.checkStop();
      await this.runStep(step, iteration, frames, rec);
    }
  }

  /** Runs the loop body once per item, `concurrency` items at a time (the for-each's param). */
  private async runLoop(step: IRStep, items: Json, iteration: string, frames: LoopFrame[]): Promise<void> {
    const loop = this.ir.loops[step.id]!;
    const list = Array.isArray(items) ? items : [];
    const requested = step.params.concurrency;
    const limit =
      typeof requested === 'number' && Number.isInteger(requested) ? Math.min(50, Math.max(1, requested)) : 1;
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (!failure && next < list.length) {
        const i = next++;
        const child = iteration === '' ? String(i) : `${iteration}.${i}`;
        try {
          await this.runScope(loop.body, child, [...frames, { loopId: step.id, item: list[i] as Json, index: i }]);
        } catch (error) {
          // The first item to fail, wait or be requeued decides; the others finish what they started.
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
    if (failure) throw failure.error;
  }

  private async runStep(
    step: IRStep,
    iteration: string,
    frames: LoopFrame[],
    previous: StepRecord | undefined,
  ): Promise<void> {
    const startedAt = new Date();
    const gathered = this.gatherInputs(step, iteration, frames);
    if (!gathered) {
      this.record(step, iteration, 1, 'skipped', null, [], undefined, null, startedAt);
      return;
    }
    const { input, inputs } = gathered;
    if (step.disabled) {
      this.record(step, iteration, 1, 'succeeded', input, ['main'], undefined, input, startedAt);
      return;
    }
    const pin = editorRunState(this.state)?.pinned?.[step.id];
    if (pin !== undefined) {
      const { output, ports } = pinnedResult(step, pin);
      this.record(step, iteration, 1, 'pinned', input, ports, undefined, output, startedAt);
      this.lastOutput = output;
      if (step.construct === 'for_each') await this.runLoop(step, output, iteration, frames);
      return;
    }
    if (previous?.status === 'waiting') {
      await this.finishWait(step, iteration, previous, input, startedAt);
      return;
    }
    const attempt = (previous?.attempt ?? 0) + 1;
    this.stepEvents?.publish(
      stepEventOf(this.row(step, iteration, attempt, 'running', null, null, null, startedAt, null)),
    );
    let params: unknown;
    try {
      params = await this.resolveStepParams(step, input, iteration, frames);
    } catch (err) {
      await this.handleFailure(step, iteration, attempt, input, startedAt, {
        kind: 'fatal',
        name: 'ParameterError',
        message: (err as Error).message,
      });
      return;
    }
    const creds = await loadStepCredentials(
      this.deps.resolveCredentials,
      this.deps.catalog,
      this.run.workspace_id,
      step,
    );
    if (!creds.ok) {
      await this.handleFailure(step, iteration, attempt, input, startedAt, creds.error);
      return;
    }
    const gate = this.mayBeLimited(step) ? await this.deps.limiter!.gateFor(step.credentials) : undefined;
    if (step.sideEffects || this.cautious) {
      this.pending.push(this.row(step, iteration, attempt, 'running', input, null, null, startedAt, null));
      await this.commit([], undefined, this.deps.db, { relaxed: true });
    } else if ((this.unsentResponse || this.unflushedCompletion) && !INLINE_NODE_TYPES.has(step.type)) {
      await this.commit([]);
    }
    const invoked = await this.deps.invoker.invoke(
      {
        type: step.type,
        version: step.version,
        params,
        input,
        inputs,
        trigger: (this.run.trigger_payload ?? null) as Json,
        ...(frames.length > 0
          ? { loop: { item: frames[frames.length - 1]!.item, index: frames[frames.length - 1]!.index } }
          : {}),
        credentials: creds.values,
        idempotencyKey: `${this.run.id}:${step.id}:${iteration}`,
        state: undefined,
        run: { runId: this.run.id, workflowId: this.run.workflow_id, stepId: step.id, attempt, iteration },
        timeoutMs: this.stepTimeout(step),
      },
      this.abort.signal,
      gate,
    );
    this.deps.circuits?.observe(invoked.circuits);
    this.deps.metrics?.httpCalls(invoked.calls, Object.values(step.credentials)[0] ?? '');
    const result = redactResult(invoked, creds.secrets);
    if (!result.ok) {
      if (this.cancelRequested) await this.finishCancelled(step, iteration, attempt, input, startedAt);
      await this.handleFailure(step, iteration, attempt, input, startedAt, result.error, result.logs);
      return;
    }
    await this.handleSuccess(step, iteration, frames, attempt, input, startedAt, result.result, result.logs);
  }

  private async handleSuccess(
    step: IRStep,
    iteration: string,
    frames: LoopFrame[],
    attempt: number,
    input: Json,
    startedAt: Date,
    result: NodeResult,
    logs: unknown[],
  ): Promise<void> {
    let output: Json;
    let ports: string[];
    if ('ports' in result) {
      ports = Object.keys(result.ports);
      output = ports.length === 1 ? (result.ports[ports[0]!] as Json) : (result.ports as Json);
    } else {
      output = result.output;
      ports = [step.construct === 'for_each' ? 'item' : 'main'];
    }
    if (step.construct === 'for_each' && !Array.isArray(output)) {
      await this.handleFailure(step, iteration, attempt, input, startedAt, {
        kind: 'fatal',
        name: 'NotAList',
        message: `For each expects a list, got ${output === null ? 'null' : typeof output}`,
      });
      return;
    }
    if ('wait' in result && result.wait) {
      await this.beginWait(step, iteration, attempt, input, startedAt, result.wait);
      return;
    }
    this.record(step, iteration, attempt, 'succeeded', input, ports, undefined, output, startedAt, logs);
    this.lastOutput = output;
    if (result.respond && !this.responded) {
      // Sent with the next write, which comes before any step that could take long.
      this.responded = true;
      this.unsentResponse = result.respond;
    } else if (this.cautious) {
      await this.commit([]);
    } else if (step.sideEffects) {
      // Its "running" row is already durable; the completion goes out with the next write, which
      // comes before any step that is not a quick built-in. A crash in between re-runs the step
      // (recorded as interrupted, same idempotency key), exactly as a crash during it would.
      this.unflushedCompletion = true;
    }
    if (step.construct === 'for_each') await this.runLoop(step, output, iteration, frames);
  }

  private async handleFailure(
    step: IRStep,
    iteration: string,
    attempt: number,
    input: Json,
    startedAt: Date,
    error: SerializedError,
    logs: unknown[] = [],
  ): Promise<void> {
    const rateLimitedBefore = this.records.get(key(step.id, iteration))?.rateLimited ?? 0;
    const delay = nextRetryDelay(step.policy.retry, attempt, error, Math.random, rateLimitedBefore);
    if (delay !== undefined && !this.cancelRequested) {
      this.record(step, iteration, attempt, 'failed', input, [], error, null, startedAt, logs);
      await this.commit([], {
        status: 'queued',
        availableInMs: delay,
        release: true,
        state: { ...this.state, retrying: step.id },
      });
      this.deps.onRequeued?.(delay);
      throw new Suspend('requeued');
    }
    const hasErrorPort = (step.outputs.error?.length ?? 0) > 0;
    if (step.policy.continueOnError || hasErrorPort) {
      const output = { error: error as unknown as Json, input };
      this.record(
        step,
        iteration,
        attempt,
        'failed',
        input,
        [hasErrorPort ? 'error' : 'main'],
        error,
        output,
        startedAt,
        logs,
      );
      if (step.sideEffects || this.cautious) await this.commit([]);
      return;
    }
    this.record(step, iteration, attempt, 'failed', input, [], error, null, startedAt, logs);
    await this.finishFailed(step, error);
  }

  // ---- waits ---------------------------------------------------------------------------------

  private async beginWait(
    step: IRStep,
    iteration: string,
    attempt: number,
    input: Json,
    startedAt: Date,
    wait: { until: string } | { webhook: true; timeoutAt?: string },
  ): Promise<void> {
    this.record(step, iteration, attempt, 'waiting', input, [], undefined, input, startedAt);
    const change: RunChange = { status: 'waiting', release: true, event: { kind: 'waiting', status: 'waiting' } };
    if ('until' in wait) {
      change.availableInMs = Math.max(0, Date.parse(wait.until) - Date.now());
      change.state = { ...this.state, waitingStep: step.id, waitMode: 'time' };
    } else {
      const token = this.resumeToken();
      change.availableInMs = wait.timeoutAt ? Math.max(0, Date.parse(wait.timeoutAt) - Date.now()) : 'never';
      change.state = { ...this.state, waitingStep: step.id, waitMode: 'webhook', resumeToken: token };
    }
    await this.commit([], change);
    throw new Suspend('waiting');
  }

  private async finishWait(
    step: IRStep,
    iteration: string,
    previous: StepRecord,
    input: Json,
    startedAt: Date,
  ): Promise<void> {
    const resumed = 'resumePayload' in this.state;
    const isWebhookWait = this.state.waitMode === 'webhook';
    if (isWebhookWait && !resumed) {
      await this.handleFailure(step, iteration, previous.attempt, input, startedAt, {
        kind: 'fatal',
        name: 'WaitTimedOut',
        message: 'the wait timed out before its resume URL was called',
      });
      return;
    }
    const output = resumed ? (this.state.resumePayload as Json) : previous.output;
    delete this.state.resumePayload;
    delete this.state.resumeToken;
    delete this.state.waitingStep;
    delete this.state.waitMode;
    this.record(step, iteration, previous.attempt, 'succeeded', input, ['main'], undefined, output, startedAt);
    this.lastOutput = output;
    await this.commit([], { state: this.state });
  }

  // ---- endings -------------------------------------------------------------------------------

  private async finishSucceeded(): Promise<ExecutionOutcome> {
    const response = this.responded ? undefined : this.defaultResponse();
    await this.commit([], {
      status: 'succeeded',
      output: this.lastOutput,
      finished: true,
      release: true,
      ...(response ? { response } : {}),
      event: { kind: 'finished', status: 'succeeded', ...(response ? { response } : {}) },
    });
    return 'succeeded';
  }

  /** A webhook in "respond with last node" mode answers with the run's final output. */
  private defaultResponse(): { status: number; headers: Record<string, string>; body: Json } | undefined {
    const trigger = this.ir.steps[this.ir.trigger]!;
    if (trigger.type !== 'core.webhook_trigger' || trigger.params.respond !== 'last_node') return undefined;
    return { status: 200, headers: {}, body: this.lastOutput };
  }

  private async finishFailed(step: IRStep, error: SerializedError): Promise<never> {
    const runError = { ...error, stepId: step.id, nodeType: step.type };
    this.deps.log?.warn('run failed', {
      runId: this.run.id,
      workflowId: this.run.workflow_id,
      stepId: step.id,
      nodeType: step.type,
      error: `${error.name}: ${error.message}`,
    });
    await this.compensate();
    await this.deps.db.transaction().execute(async (tx) => {
      await this.commit(
        [],
        {
          status: 'failed',
          error: runError,
          finished: true,
          release: true,
          event: { kind: 'finished', status: 'failed' },
        },
        tx,
      );
      await this.startErrorWorkflow(tx, runError);
    });
    throw new Suspend('failed');
  }

  private async finishCancelled(
    step?: IRStep,
    iteration?: string,
    attempt?: number,
    input?: Json,
    startedAt?: Date,
  ): Promise<never> {
    const error: SerializedError = { kind: 'cancelled', name: 'Cancelled', message: 'Run cancelled' };
    if (step && iteration !== undefined && attempt !== undefined && startedAt) {
      this.record(step, iteration, attempt, 'failed', input ?? null, [], error, null, startedAt);
    }
    await this.commit([], {
      status: 'cancelled',
      error,
      finished: true,
      release: true,
      event: { kind: 'finished', status: 'cancelled' },
    });
    throw new Suspend('cancelled');
  }

  private async deadLetter(): Promise<ExecutionOutcome> {
    const last = await this.deps.db
      .selectFrom('step_attempts')
      .select(['step_id', 'node_type'])
      .where('run_id', '=', this.run.id)
      .where('status', 'in', ['running', 'interrupted'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const where = last ? `step "${last.step_id}" (${last.node_type})` : 'an unrecorded step';
    const reason = `The executor died ${this.run.recoveries} times while running ${where}; the run was stopped so it cannot take down more executors. Fix the step and retry the run.`;
    await this.deps.db.transaction().execute(async (tx) => {
      await sql`update step_attempts set status = 'interrupted', finished_at = now() where run_id = ${this.run.id} and status = 'running'`.execute(
        tx,
      );
      await commitRunWrites(tx, this.fence, [], {
        status: 'dead',
        error: { kind: 'fatal', name: 'DeadLettered', message: reason, stepId: last?.step_id ?? null },
        finished: true,
        release: true,
        event: { kind: 'finished', status: 'dead' },
      });
      await tx
        .insertInto('dead_letters')
        .values({ run_id: this.run.id, step_id: last?.step_id ?? null, reason })
        .execute();
    });
    return 'dead';
  }

  /** Runs the compensation steps of completed steps, newest first, when the workflow asks for it. */
  private async compensate(): Promise<void> {
    if (!this.ir.settings.compensateOnFailure) return;
    const done = [...this.records.entries()].filter(([, r]) => r.status === 'succeeded').reverse();
    for (const [k, rec] of done) {
      const [stepId, iteration] = k.split('#') as [string, string];
      const compensator = this.ir.steps[stepId]?.policy.compensate;
      const comp = compensator ? this.ir.steps[compensator] : undefined;
      if (!comp || this.records.get(key(comp.id, iteration))?.status === 'succeeded') continue;
      const startedAt = new Date();
      const params = await this.resolveStepParams(comp, rec.output, iteration, []).catch(() => comp.params);
      const creds = await loadStepCredentials(
        this.deps.resolveCredentials,
        this.deps.catalog,
        this.run.workspace_id,
        comp,
      );
      if (!creds.ok) {
        this.record(comp, iteration, 1, 'failed', rec.output, [], creds.error, null, startedAt);
        continue;
      }
      const invoked = await this.deps.invoker.invoke(
        {
          type: comp.type,
          version: comp.version,
          params,
          input: rec.output,
          inputs: { main: rec.output },
          trigger: (this.run.trigger_payload ?? null) as Json,
          credentials: creds.values,
          idempotencyKey: `${this.run.id}:${comp.id}:${iteration}`,
          state: undefined,
          run: { runId: this.run.id, workflowId: this.run.workflow_id, stepId: comp.id, attempt: 1, iteration },
          timeoutMs: comp.policy.timeoutMs,
        },
        undefined,
        this.mayBeLimited(comp) ? await this.deps.limiter!.gateFor(comp.credentials) : undefined,
      );
      this.deps.circuits?.observe(invoked.circuits);
      this.deps.metrics?.httpCalls(invoked.calls, Object.values(comp.credentials)[0] ?? '');
      const res = redactResult(invoked, creds.secrets);
      if (res.ok) {
        const out = 'output' in res.result ? res.result.output : (res.result.ports as Json);
        this.record(comp, iteration, 1, 'compensated', rec.output, ['main'], undefined, out, startedAt, res.logs);
      } else {
        this.record(comp, iteration, 1, 'failed', rec.output, [], res.error, null, startedAt, res.logs);
      }
    }
  }

  private async startErrorWorkflow(tx: Kysely<Database>, error: unknown): Promise<void> {
    const target = this.ir.settings.errorWorkflowId;
    if (!target) return;
    const wf = await tx
      .selectFrom('workflows')
      .select(['id', 'active_version_id', 'current_version_id', 'workspace_id'])
      .where('id', '=', target)
      .executeTakeFirst();
    const versionId = wf?.active_version_id ?? wf?.current_version_id;
    if (!wf || !versionId || wf.workspace_id !== this.run.workspace_id) return;
    const payload = { error, run: { id: this.run.id, workflowId: this.run.workflow_id } };
    await sql`
      with r as (insert into runs (workspace_id, workflow_id, version_id, trigger_kind, trigger_payload, parent_run_id)
                 values (${wf.workspace_id}, ${wf.id}, ${versionId}, 'error', ${JSON.stringify(payload)}::jsonb, ${this.run.id}) returning id)
      select pg_notify('apiq_run_queued', '') from r`.execute(tx);
  }

  /** Only steps with credential refs can use a limited connection; the others skip the limiter altogether. */
  private mayBeLimited(step: IRStep): boolean {
    if (!this.deps.limiter || !step.credentials) return false;
    for (const _ in step.credentials) return true;
    return false;
  }

  /** A step may not outlive its run's time limit. */
  private stepTimeout(step: IRStep): number {
    const limit = this.ir.settings.timeoutMs;
    if (!limit || !this.run.started_at) return step.policy.timeoutMs;
    const left = limit - (Date.now() - new Date(this.run.started_at).getTime());
    return Math.max(1, Math.min(step.policy.timeoutMs, left));
  }

  /**
   * The token of this run's resume URL, made on first use and saved with the next write, so a
   * step can send the URL (say, in an approval email) before the Wait step parks the run.
   */
  private resumeToken(): string {
    if (typeof this.state.resumeToken !== 'string') {
      this.state.resumeToken = randomBytes(18).toString('base64url');
      this.stateDirty = true;
    }
    return this.state.resumeToken as string;
  }

  private async checkStop(): Promise<void> {
    if (this.cancelRequested) await this.finishCancelled();
    if (this.pauseRequested) {
      const state: Record<string, unknown> = { ...this.state, paused: true, pausedFrom: 'running' };
      delete state.pauseRequested;
      await this.commit([], {
        status: 'waiting',
        availableInMs: 'never',
        release: true,
        state,
        event: { kind: 'waiting', status: 'waiting' },
      });
      throw new Suspend('waiting');
    }
    const limit = this.ir.settings.timeoutMs;
    if (limit && this.run.started_at && Date.now() - new Date(this.run.started_at).getTime() > limit) {
      const trigger = this.ir.steps[this.ir.trigger]!;
      await this.finishFailed(trigger, {
        kind: 'timeout',
        name: 'RunTimeout',
        message: `the run took longer than its ${limit} ms limit`,
      });
    }
  }

  // ---- data ------------------------------------------------------------------------------------

  private gatherInputs(
    step: IRStep,
    iteration: string,
    frames: LoopFrame[],
  ): { input: Json; inputs: Record<string, Json> } | undefined {
    if (step.construct === 'trigger') {
      const payload = (this.run.trigger_payload ?? null) as Json;
      return { input: payload, inputs: {} };
    }
    if (step.construct === 'aggregate') return this.gatherLoopResults(step, iteration);
    let input: Json | undefined;
    const inputs: Record<string, Json> = {};
    let active = false;
    for (const edge of step.inputs) {
      const value = this.edgeValue(edge.from, edge.fromPort, step, iteration, frames);
      if (value === undefined) continue;
      active = true;
      if (input === undefined) input = value;
      if (!(edge.port in inputs)) inputs[edge.port] = value;
    }
    return active ? { input: input ?? null, inputs } : undefined;
  }

  private edgeValue(
    from: string,
    fromPort: string,
    to: IRStep,
    iteration: string,
    frames: LoopFrame[],
  ): Json | undefined {
    const source = this.ir.steps[from]!;
    if (source.construct === 'for_each' && fromPort === 'item' && to.loop === from) {
      return frames.find((f) => f.loopId === from)?.item;
    }
    const rec = this.records.get(key(from, this.scopeOf(from, iteration)));
    if (!rec || !rec.ports.includes(fromPort)) return undefined;
    if (rec.ports.length > 1 && rec.output && typeof rec.output === 'object' && !Array.isArray(rec.output)) {
      return (rec.output as Record<string, Json>)[fromPort] ?? null;
    }
    return rec.output;
  }

  private gatherLoopResults(
    step: IRStep,
    iteration: string,
  ): { input: Json; inputs: Record<string, Json> } | undefined {
    const loop = Object.values(this.ir.loops).find((l) => l.aggregate === step.id);
    if (!loop) return undefined;
    const head = this.records.get(key(loop.id, iteration));
    if (!head || !(head.status === 'succeeded' || SUPPLIED_STATUSES.has(head.status)) || !Array.isArray(head.output))
      return undefined;
    const results: Json[] = [];
    for (let i = 0; i < head.output.length; i++) {
      const child = iteration === '' ? String(i) : `${iteration}.${i}`;
      for (const c of loop.collect) {
        const rec = this.records.get(key(c, child));
        const edge = step.inputs.find((e) => e.from === c);
        if (rec && edge && rec.ports.includes(edge.fromPort)) {
          results.push(rec.output);
          break;
        }
      }
    }
    return { input: results, inputs: { main: results } };
  }

  private stepsSnapshot(iteration: string): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const id of Object.keys(this.ir.steps)) {
      const rec = this.records.get(key(id, this.scopeOf(id, iteration)));
      if (rec && (rec.status === 'succeeded' || rec.ports.length > 0)) out[id] = rec.output;
    }
    return out;
  }

  private async resolveStepParams(step: IRStep, input: Json, iteration: string, frames: LoopFrame[]): Promise<unknown> {
    const def = this.deps.catalog.get(step.type, step.version);
    if (!def) throw new Error(`node type ${step.type}@${step.version} is not installed`);
    if (!hasExpressions(step.params)) {
      const cacheKey = `${this.run.version_id}:${step.id}`;
      const cached = staticParams.get(cacheKey);
      if (cached !== undefined) return cached;
      const parsed = parseParams(def.params, step.params, step.id);
      if (staticParams.size > 10_000) staticParams.clear();
      staticParams.set(cacheKey, parsed);
      return parsed;
    }
    const frame = frames[frames.length - 1];
    const wantsResumeUrl = JSON.stringify(step.params).includes('resumeUrl');
    const resolved = await resolveParams(step.params, {
      trigger: (this.run.trigger_payload ?? null) as Json,
      input,
      steps: this.stepsSnapshot(iteration),
      ...(frame ? { item: frame.item, index: frame.index } : {}),
      run: {
        id: this.run.id,
        workflowId: this.run.workflow_id,
        ...(wantsResumeUrl ? { resumeUrl: `${publicUrl()}/webhook-resume/${this.run.id}/${this.resumeToken()}` } : {}),
      },
    });
    return parseParams(def.params, resolved, step.id);
  }

  // ---- bookkeeping -------------------------------------------------------------------------

  private record(
    step: IRStep | undefined,
    iteration: string,
    attempt: number,
    status: StepStatus,
    input: Json,
    ports: string[],
    error: SerializedError | undefined,
    output: Json,
    startedAt: Date,
    logs: unknown[] = [],
  ): void {
    if (!step) return;
    const rateLimited =
      (this.records.get(key(step.id, iteration))?.rateLimited ?? 0) + (error?.kind === 'rate_limited' ? 1 : 0);
    this.records.set(key(step.id, iteration), {
      status,
      attempt,
      output,
      ports,
      ...(error ? { error } : {}),
      ...(rateLimited > 0 ? { rateLimited } : {}),
    });
    const row = this.row(
      step,
      iteration,
      attempt,
      status,
      input,
      output,
      error ?? null,
      startedAt,
      new Date(),
      ports,
      logs,
    );
    this.pending.push(row);
    this.stepEvents?.publish(stepEventOf(row));
    this.deps.metrics?.stepFinished(step.type, status, row.duration_ms);
  }

  private row(
    step: IRStep | undefined,
    iteration: string,
    attempt: number,
    status: StepStatus,
    input: Json,
    output: Json,
    error: SerializedError | null,
    startedAt: Date,
    finishedAt: Date | null,
    ports: string[] = [],
    logs: unknown[] = [],
  ): StepRow {
    return {
      step_id: step?.id ?? '?',
      iteration,
      attempt,
      status,
      node_type: step?.type ?? 'unknown',
      // A trigger's input is the run's trigger payload, already stored on the run.
      input: step?.construct === 'trigger' ? null : input,
      output,
      ports: ports.length ? ports : null,
      error,
      logs: logs.length ? logs : null,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt ? finishedAt.toISOString() : null,
      duration_ms: finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
    };
  }

  private async commit(
    extra: StepRow[],
    change?: RunChange,
    db: Kysely<Database> = this.deps.db,
    o: { relaxed?: boolean } = {},
  ): Promise<void> {
    const rows = [...this.pending.splice(0), ...extra];
    if (rows.length === 0 && !change && !this.unsentResponse && !this.stateDirty) return;
    if (this.stateDirty && !(change && 'state' in change)) change = { ...change, state: this.state };
    this.stateDirty = false;
    this.unflushedCompletion = false;
    const full = this.withResponse(change);
    // Listeners see a run's step events before the event that ends or parks it.
    if (this.stepEvents && full?.event) await this.stepEvents.flushed();
    // A write that carries a response or a run change is always flushed before it counts.
    const relaxed = o.relaxed === true && !full;
    if (db === this.deps.db && this.deps.writer)
      await this.deps.writer.write({ fence: this.fence, rows, ...(full ? { change: full } : {}), relaxed });
    else await commitRunWrites(db, this.fence, rows, full, db === this.deps.db ? this.deps.pool : undefined);
  }

  /** Adds a webhook response produced since the last write to this write and its event. */
  private withResponse(change: RunChange | undefined): RunChange | undefined {
    const response = this.unsentResponse;
    if (!response) return change;
    this.unsentResponse = undefined;
    const base = change ?? {};
    return { ...base, response, event: { ...(base.event ?? { kind: 'response', status: 'running' }), response } };
  }

  private loopDepth(stepId: string): number {
    let d = 0;
    let loop = this.ir.steps[stepId]?.loop;
    while (loop) {
      d++;
      loop = this.ir.steps[loop]?.loop;
    }
    return d;
  }

  /** The iteration key under which a step's record lives, seen from `iteration`. */
  private scopeOf(stepId: string, iteration: string): string {
    const d = this.depth.get(stepId) ?? 0;
    if (d === 0 || iteration === '') return '';
    return iteration.split('.').slice(0, d).join('.');
  }
}

const staticParams = new Map<string, unknown>();

/** Where this instance is reached from outside (resume URLs): APIQ_PUBLIC_URL, else localhost. */
function publicUrl(): string {
  return (process.env.APIQ_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
}

function parseParams(
  schema: {
    safeParse(v: unknown): {
      success: boolean;
      data?: unknown;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  },
  value: unknown,
  stepId: string,
): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error?.issues ?? [];
  const text = issues.map((i) => `params.${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(`step "${stepId}" has invalid parameters after evaluating expressions: ${text}`);
}
