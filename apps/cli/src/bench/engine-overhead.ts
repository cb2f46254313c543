import { setTimeout as delay } from 'node:timers/promises';
import type { DiscoveredCatalog } from '@apiq/catalog';
import { sql, type OpenDatabase } from '@apiq/db';
import { enqueueRun, saveWorkflow } from '@apiq/runtime';
import { median, round } from './stats.ts';
import { noOpChain } from './workloads.ts';

export interface EngineOverhead {
  steps: number;
  /** Median over the measured runs of (finished_at − started_at) / steps, in µs. */
  perStepUs: number;
  /** Every measured run's per-step figure, in µs. */
  samplesUs: number[];
}

/**
 * The engine's own cost per step: manual runs of a chain of `steps` No-op nodes, executed by the
 * running APIQ's executor (the run is polled until it ends); each run's (finished_at − started_at) / steps, as stored by the engine.
 * One run first warms the executor up and is not counted.
 *
 * @example
 * const { perStepUs } = await measureEngineOverhead(opened, catalog, { steps: 100, runs: 5 });
 */
export async function measureEngineOverhead(
  opened: Pick<OpenDatabase, 'db'>,
  catalog: DiscoveredCatalog,
  o: { steps: number; runs: number; timeoutMs?: number },
): Promise<EngineOverhead> {
  const saved = await saveWorkflow(opened.db, catalog, noOpChain(o.steps));
  const samplesUs: number[] = [];
  for (let i = 0; i <= o.runs; i++) {
    const { runId } = await enqueueRun(opened.db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: {},
    });
    const row = await waitForEnd(opened.db, runId, o.timeoutMs ?? 60_000);
    if (row?.status !== 'succeeded' || row.us === null) {
      throw new Error(
        `the ${o.steps}-step no-op run ${runId} did not succeed: status ${row?.status ?? 'missing'}${row?.error ? `, error ${JSON.stringify(row.error)}` : ''}`,
      );
    }
    if (i > 0) samplesUs.push(Number(row.us) / o.steps);
  }
  return { steps: o.steps, perStepUs: round(median(samplesUs), 1), samplesUs: samplesUs.map((s) => round(s, 1)) };
}

/**
 * Polls the run until it leaves queued / running (the timing comes from the engine's own
 * timestamps, so the polling interval does not affect it).
 */
async function waitForEnd(db: OpenDatabase['db'], runId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const { rows } = await sql<{ status: string; us: number | null; error: unknown }>`
      select status, error, extract(epoch from (finished_at - started_at)) * 1e6 as us from runs where id = ${runId}`.execute(
      db,
    );
    const row = rows[0];
    if (row && row.status !== 'queued' && row.status !== 'running') return row;
    if (Date.now() > deadline) return row;
    await delay(10);
  }
}
