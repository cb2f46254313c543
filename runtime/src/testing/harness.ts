import { openDatabase, type OpenDatabase } from '@apiq/db';
import { createTestDatabase } from '@apiq/db/testing';
import { discoverNodes, findProjectRoot, type DiscoveredCatalog } from '@apiq/catalog';
import { Executor, type ExecutorOptions } from '../engine/executor.ts';
import { RunEventHub, type RunEvent } from '../store/run-events.ts';
import { ENGINE_SESSION_SETTINGS } from '../store/engine-session.ts';
import { enqueueRun, getRun, listStepAttempts } from '../store/runs.ts';
import { activateWorkflow, saveWorkflow, type SavedVersion } from '../store/workflows.ts';

let catalog: Promise<DiscoveredCatalog> | undefined;

/** The real installed catalog (nodes/* and node_modules), loaded once per test process. */
export function realCatalog(): Promise<DiscoveredCatalog> {
  catalog ??= discoverNodes(findProjectRoot());
  return catalog;
}

export interface TestEngine {
  url: string;
  opened: OpenDatabase;
  db: OpenDatabase['db'];
  catalog: DiscoveredCatalog;
  hub: RunEventHub;
  executors: Executor[];
  /** Saves (and optionally activates) a workflow. */
  save(graph: unknown, options?: { activate?: boolean }): Promise<SavedVersion>;
  /** Starts a manual run and waits until it finishes or parks on a wait. */
  run(graph: unknown | SavedVersion, input?: unknown, timeoutMs?: number): Promise<FinishedRun>;
  /** Waits for a run's next event of the given kinds. */
  waitFor(runId: string, kinds?: RunEvent['kind'][], timeoutMs?: number): Promise<RunEvent | undefined>;
  startExecutor(options?: Partial<ExecutorOptions>): Promise<Executor>;
  close(): Promise<void>;
}

export interface FinishedRun {
  runId: string;
  status: string;
  output: unknown;
  error: unknown;
  steps: Awaited<ReturnType<typeof listStepAttempts>>;
  /** Latest attempt of each step by `stepId` or `stepId[iteration]`. */
  byStep: Record<string, Awaited<ReturnType<typeof listStepAttempts>>[number]>;
}

/**
 * A fresh migrated database on `serverUrl`, the real node catalog, an event hub and (unless
 * `executor: false`) one in-process executor. Everything is real: no engine part is stubbed.
 */
export async function startTestEngine(
  serverUrl: string,
  options: { executor?: boolean | Partial<ExecutorOptions> } = {},
): Promise<TestEngine> {
  const test = await createTestDatabase(serverUrl);
  // As an executor's connections: the engine's statements are tested with the plans they get in production.
  const opened = await openDatabase({ url: test.url, sessionSettings: ENGINE_SESSION_SETTINGS });
  const cat = await realCatalog();
  const hub = new RunEventHub(opened.db, opened.pool);
  await hub.start();
  const executors: Executor[] = [];
  const startExecutor = async (o: Partial<ExecutorOptions> = {}) => {
    const ex = new Executor({ db: opened.db, pool: opened.pool, catalog: cat, threads: 2, pollMs: 100, ...o });
    await ex.start();
    executors.push(ex);
    return ex;
  };
  if (options.executor !== false) await startExecutor(typeof options.executor === 'object' ? options.executor : {});

  const engine: TestEngine = {
    url: test.url,
    opened,
    db: opened.db,
    catalog: cat,
    hub,
    executors,
    startExecutor,
    async save(graph, o = {}) {
      const saved = await saveWorkflow(opened.db, cat, graph);
      if (o.activate) await activateWorkflow(opened.db, saved.workflowId);
      return saved;
    },
    waitFor(runId, kinds = ['finished'], timeoutMs = 20_000) {
      return hub.waitFor(runId, (e) => kinds.includes(e.kind), timeoutMs);
    },
    async run(graph, input = {}, timeoutMs = 20_000) {
      const saved = isSaved(graph) ? graph : await engine.save(graph);
      const { runId } = await enqueueRun(opened.db, {
        workflowId: saved.workflowId,
        versionId: saved.versionId,
        triggerKind: 'manual',
        triggerPayload: input,
      });
      const event = await engine.waitFor(runId, ['finished', 'waiting'], timeoutMs);
      if (!event) throw new Error(`run ${runId} did not finish within ${timeoutMs} ms`);
      return readRun(opened, runId);
    },
    async close() {
      await Promise.all(executors.map((e) => e.stop(1000)));
      await hub.stop();
      await opened.close();
      await test.drop();
    },
  };
  return engine;
}

export async function readRun(opened: OpenDatabase, runId: string): Promise<FinishedRun> {
  const run = await getRun(opened.db, runId);
  const steps = await listStepAttempts(opened.db, runId);
  const byStep: FinishedRun['byStep'] = {};
  for (const s of steps) byStep[s.iteration ? `${s.step_id}[${s.iteration}]` : s.step_id] = s;
  return { runId, status: run?.status ?? 'missing', output: run?.output, error: run?.error, steps, byStep };
}

function isSaved(v: unknown): v is SavedVersion {
  return typeof v === 'object' && v !== null && 'versionId' in v && 'workflowId' in v;
}
