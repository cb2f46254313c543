import { openDatabase } from '@apiq/db';
import { activateWorkflow, saveWorkflow } from '@apiq/runtime';
import { loadCatalog } from '../context.ts';
import { startApiq } from '../bench/apiq-instance.ts';
import { measureCodeNodeCall } from '../bench/code-node-call.ts';
import { measureEngineOverhead } from '../bench/engine-overhead.ts';
import { runLoad } from '../bench/load.ts';
import { parseBenchOptions, type RawBenchOptions } from '../bench/options.ts';
import { MemorySampler } from '../bench/process-memory.ts';
import { CpuMeter } from '../bench/process-cpu.ts';
import {
  describeMachine,
  formatExtras,
  formatTable,
  type BenchRow,
  type Extras,
  type RowExtras,
} from '../bench/report.ts';
import { round } from '../bench/stats.ts';
import { startUpstream } from '../bench/upstream.ts';
import { checkWorkload, waitUntilIdle } from '../bench/verify.ts';
import { WORKLOADS } from '../bench/workloads.ts';

const ENGINE_CHAIN_STEPS = 100;
const ENGINE_RUNS = 5;
const CODE_CALLS = 2000;
const CODE_WARMUP = 200;

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/**
 * `apiq bench`: starts a fresh APIQ in a temporary data directory, loads the benchmark webhook
 * workflows at each concurrency, and prints req/s, latency, errors and memory, plus the engine's
 * per-step overhead and a warm Code-node call. Figures only: nothing is asserted. With --json,
 * stdout carries only the JSON rows; progress always goes to stderr.
 */
export async function benchCommand(raw: RawBenchOptions): Promise<number> {
  const opts = parseBenchOptions(raw);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const abort = new AbortController();
  const onSignal = (signal: string) => {
    if (abort.signal.aborted) return;
    progress(`\n${signal}: stopping the benchmark and APIQ...`);
    abort.abort();
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const checkpoint = () => {
    if (abort.signal.aborted) throw new Interrupted();
  };
  const cleanups: Array<() => Promise<void>> = [];
  let failure: Error | undefined;

  try {
    if (process.env.DATABASE_URL) {
      progress('Note: DATABASE_URL is ignored; the benchmark always uses a fresh embedded PostgreSQL.');
      delete process.env.DATABASE_URL;
    }
    const machine = describeMachine();
    progress(`APIQ benchmark: ${machine}`);
    progress(
      `Workloads ${opts.workloads.join(', ')} at concurrency ${opts.concurrencies.join(', ')}; ${opts.warmupSec} s warm-up + ${opts.durationSec} s each.`,
    );

    // Measured before APIQ starts, so nothing else competes for the CPU.
    progress(`Code node: ${CODE_CALLS} warm runUserCode calls...`);
    const extras: Extras = { codeNode: await measureCodeNodeCall({ calls: CODE_CALLS, warmup: CODE_WARMUP }) };
    checkpoint();

    progress('Starting APIQ in a temporary data directory...');
    const apiq = await startApiq({
      log: progress,
      env: { APIQ_HTTP_ALLOW: '127.0.0.1/32', APIQ_LOG_LEVEL: 'warn' },
      signal: abort.signal,
    });
    progress(`APIQ is up at ${apiq.baseUrl} (supervisor pid ${apiq.pid}, data directory ${apiq.dataDir}).`);
    apiq.onUnexpectedExit((how) => {
      failure = new Error(`APIQ stopped unexpectedly during the benchmark (${how}); see its output above`);
      abort.abort();
    });
    cleanups.push(async () => {
      progress('Stopping APIQ and removing its data directory...');
      await apiq.stop();
    });
    checkpoint();

    const upstream = opts.workloads.some((id) => WORKLOADS[id].needsUpstream) ? await startUpstream() : undefined;
    if (upstream) cleanups.push(() => upstream.stop());

    const opened = await openDatabase({ dataDir: apiq.dataDir, poolSize: 4, applicationName: 'apiq-bench' });
    cleanups.push(() => opened.close());
    const catalog = await loadCatalog();
    for (const id of opts.workloads) {
      const saved = await saveWorkflow(opened.db, catalog, WORKLOADS[id].graph({ upstreamUrl: upstream?.url ?? '' }));
      await activateWorkflow(opened.db, saved.workflowId);
    }
    const expectedBodies = new Map<string, string>();
    for (const id of opts.workloads) {
      expectedBodies.set(id, await checkWorkload(apiq.baseUrl, WORKLOADS[id]));
      progress(`${id}: response checked`);
    }
    checkpoint();

    progress(
      `Engine overhead: ${ENGINE_RUNS + 1} manual runs of a ${ENGINE_CHAIN_STEPS}-step No-op chain (the first warms up)...`,
    );
    extras.engine = await measureEngineOverhead(opened, catalog, { steps: ENGINE_CHAIN_STEPS, runs: ENGINE_RUNS });
    checkpoint();

    const sampler = new MemorySampler({ apiqPid: apiq.pid, pgDataDir: apiq.pgDataDir });
    const cpu = new CpuMeter({ apiqPid: apiq.pid, pgDataDir: apiq.pgDataDir });
    sampler.start();
    cleanups.push(async () => sampler.stop());
    const rows: BenchRow[] = [];
    const rowExtras: RowExtras[] = [];
    for (const id of opts.workloads) {
      const w = WORKLOADS[id];
      const load = {
        url: `${apiq.baseUrl}/webhook/${w.path}`,
        body: JSON.stringify(w.load.request),
        expectBody: expectedBodies.get(id)!,
        signal: abort.signal,
      };
      for (const connections of opts.concurrencies) {
        progress(`${id} × ${connections}: ${opts.warmupSec} s warm-up, ${opts.durationSec} s measured...`);
        await runLoad({ ...load, connections, durationSec: opts.warmupSec });
        checkpoint();
        await waitUntilIdle(opened.db, progress);
        sampler.reset();
        cpu.start();
        const r = await runLoad({ ...load, connections, durationSec: opts.durationSec });
        const used = cpu.stop();
        const peaks = sampler.peaks();
        checkpoint();
        rows.push({
          workload: id,
          concurrency: connections,
          reqPerSec: r.reqPerSec,
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
          errors: r.errors,
          peakRssMb: round(peaks.apiqMb, 1),
        });
        rowExtras.push({
          requests: r.requests,
          peakPostgresMb: round(peaks.postgresMb, 1),
          ...(r.requests > 0
            ? {
                apiqCpuUs: round((used.apiqMs * 1000) / r.requests, 0),
                postgresCpuUs: round((used.postgresMs * 1000) / r.requests, 0),
              }
            : {}),
        });
        const d = r.detail;
        progress(
          `  ${r.reqPerSec} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.errors} errors` +
            (r.errors
              ? ` (${d.errors} connection errors incl. ${d.timeouts} timeouts, ${d.non2xx} non-2xx, ${d.mismatches} wrong bodies)`
              : '') +
            `, APIQ ${Math.round(peaks.apiqMb)} MB, PostgreSQL ${Math.round(peaks.postgresMb)} MB`,
        );
        if (r.errors) await reportFailedRuns(opened.db, progress);
        await waitUntilIdle(opened.db, progress);
      }
    }

    const human = `\nAPIQ benchmark, ${machine}\n\n${formatTable(rows, rowExtras)}\n\n${formatExtras(extras)}\n`;
    const json = JSON.stringify(rows, null, 2);
    if (opts.json) {
      progress(human);
      process.stdout.write(`${json}\n`);
    } else {
      process.stdout.write(`${human}\n${json}\n`);
    }
    return 0;
  } catch (err) {
    const cause = failure ?? err;
    if (!failure && (err instanceof Interrupted || abort.signal.aborted)) return 130;
    progress(`bench failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    return 1;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => progress(`cleanup: ${err instanceof Error ? err.message : String(err)}`));
    }
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** When a load step had errors, says why the runs behind them failed (their stored errors). */
async function reportFailedRuns(
  db: Awaited<ReturnType<typeof openDatabase>>['db'],
  progress: (line: string) => void,
): Promise<void> {
  const failed = await db
    .selectFrom('runs')
    .select(['status', 'error'])
    .where('status', 'in', ['failed', 'dead', 'cancelled'])
    .orderBy('finished_at', 'desc')
    .limit(200)
    .execute();
  const reasons = new Map<string, number>();
  for (const f of failed) {
    const e = f.error as { stepId?: string; message?: string } | null;
    const key = `${f.status}${e?.stepId ? ` at ${e.stepId}` : ''}: ${e?.message ?? 'no error recorded'}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  if (reasons.size === 0)
    progress('  no failed runs in the database: the errors are in the HTTP layer (see the counts above)');
  for (const [reason, n] of reasons) progress(`  ${n} × ${reason}`);
}
