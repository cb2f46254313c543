import {
  createLogger,
  ENGINE_SESSION_SETTINGS,
  Executor,
  RunEventHub,
  enqueueRun,
  getRun,
  listStepAttempts,
  saveWorkflow,
  WorkflowInvalidError,
  type CredentialResolver,
} from '@apiq/runtime';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import type { WorkflowGraph } from '@apiq/graph';
import { createCredentialResolver, openVault, type Vault } from '@apiq/vault';
import { CliError, dataDir, loadCatalog, openMigratedDatabase } from '../context.ts';
import { parseInputOption, readJsonFile } from '../read-workflow-file.ts';

const FINISHED = ['succeeded', 'failed', 'cancelled', 'dead'];

/**
 * `apiq run flow.json`: saves the workflow (a new version of the workflow with the same name),
 * starts a manual run with the given input, executes it with an in-process executor and prints
 * every step. Exit code 0 when the run succeeded, 1 otherwise.
 */
export async function runCommand(
  file: string,
  opts: { input?: string; json?: boolean; timeout?: string },
): Promise<number> {
  const graph = await readJsonFile(file);
  const input = parseInputOption(opts.input);
  const catalog = await loadCatalog();
  const opened = await openMigratedDatabase(ENGINE_SESSION_SETTINGS);
  const { db, pool } = opened;
  const hub = new RunEventHub(db, pool);
  // Opened on first use: a workflow without credentials never touches the vault.
  let vault: Promise<Vault> | undefined;
  const resolveCredentials: CredentialResolver = async (workspaceId, refs) => {
    vault ??= openVault({ db, dataDir: dataDir() });
    return createCredentialResolver({ db, vault: await vault, catalog })(workspaceId, refs);
  };
  const executor = new Executor({
    db,
    pool,
    catalog,
    resolveCredentials,
    concurrency: 4,
    threads: 2,
    log: createLogger({ component: 'executor' }, 'warn'),
  });
  try {
    const name = (graph as { name?: unknown })?.name;
    const existing =
      typeof name === 'string'
        ? await db
            .selectFrom('workflows')
            .select('id')
            .where('name', '=', name)
            .where('workspace_id', '=', DEFAULT_WORKSPACE_ID)
            .orderBy('created_at')
            .executeTakeFirst()
        : undefined;
    let saved;
    try {
      saved = await saveWorkflow(db, catalog, graph, existing ? { workflowId: existing.id } : {});
    } catch (err) {
      if (err instanceof WorkflowInvalidError) {
        throw new CliError(
          `${file}: ${err.issues.length} problem(s)\n${err.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
        );
      }
      throw err;
    }
    const trigger = saved.ir.steps[saved.ir.trigger]!;
    const payload =
      trigger.type === 'core.webhook_trigger'
        ? { method: 'POST', path: String(trigger.params.path ?? ''), query: {}, headers: {}, body: input }
        : input;
    await hub.start();
    const { runId } = await enqueueRun(db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: payload,
    });
    const finished = hub.waitFor(
      runId,
      (e) => e.kind === 'finished' || e.kind === 'waiting',
      Number(opts.timeout ?? 300_000),
    );
    await executor.start();
    const event = await finished;
    const run = await getRun(db, runId);
    const steps = await listStepAttempts(db, runId);
    if (opts.json) {
      process.stdout.write(JSON.stringify({ ...run, steps }, null, 2) + '\n');
    } else {
      printRun(saved.graph, run?.status ?? 'unknown', steps, run?.output, run?.error);
      if (run?.response) process.stdout.write(`webhook response: ${JSON.stringify(run.response)}\n`);
      if (!event) process.stdout.write(`run ${runId} did not finish in time; it continues in the background\n`);
    }
    return run?.status === 'succeeded' ? 0 : 1;
  } finally {
    await executor.stop(2000).catch(() => {});
    await hub.stop().catch(() => {});
    await opened.close();
  }
}

function printRun(
  graph: WorkflowGraph,
  status: string,
  steps: Awaited<ReturnType<typeof listStepAttempts>>,
  output: unknown,
  error: unknown,
): void {
  const names = new Map(graph.nodes.map((n) => [n.id, n.name ?? n.id]));
  for (const s of steps) {
    const label = `${names.get(s.step_id) ?? s.step_id}${s.iteration ? `[${s.iteration}]` : ''}`;
    const attempt = s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
    const ms = s.duration_ms === null ? '' : ` ${s.duration_ms} ms`;
    const detail =
      s.status === 'failed' || s.status === 'interrupted'
        ? ((s.error as { message?: string } | null)?.message ?? '')
        : s.status === 'skipped'
          ? '(branch not taken)'
          : preview(s.output);
    process.stdout.write(`${mark(s.status)} ${label.padEnd(24)} ${s.status}${attempt}${ms}  ${detail}\n`);
  }
  process.stdout.write(`\nrun ${status}${FINISHED.includes(status) ? '' : ' (not finished)'}\n`);
  if (status === 'succeeded') process.stdout.write(`output: ${JSON.stringify(output, null, 2)}\n`);
  if (error) process.stdout.write(`error: ${(error as { message?: string }).message ?? JSON.stringify(error)}\n`);
}

function mark(status: string): string {
  return status === 'succeeded' ? '✓' : status === 'skipped' ? '–' : status === 'failed' ? '✗' : '•';
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
