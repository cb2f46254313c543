import { cpus, totalmem } from 'node:os';
import type { CodeNodeCall } from './code-node-call.ts';
import type { EngineOverhead } from './engine-overhead.ts';

/** One line of `apiq bench --json`. */
export interface BenchRow {
  workload: string;
  concurrency: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Peak of the summed VmRSS of the APIQ supervisor and its child processes during the measurement. */
  peakRssMb: number;
}

/** What the human table shows besides the JSON row. */
export interface RowExtras {
  requests: number;
  peakPostgresMb: number;
  /** CPU time per answered request during the measurement, in µs: APIQ's processes and PostgreSQL's. */
  apiqCpuUs?: number;
  postgresCpuUs?: number;
}

export interface Extras {
  engine?: EngineOverhead;
  codeNode?: CodeNodeCall;
}

/** Date, CPU, memory and Node version: figures mean little without them. */
export function describeMachine(now = new Date()): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpu.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}, ${process.platform}`;
}

const num = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/**
 * The results as an aligned text table, one row per workload and concurrency.
 *
 * @example
 * formatTable([{ workload: 'w1', concurrency: 1, reqPerSec: 500, p50Ms: 1.9, p99Ms: 3.2, errors: 0, peakRssMb: 300 }], [{ requests: 5000, peakPostgresMb: 90 }]);
 */
export function formatTable(rows: BenchRow[], extras: RowExtras[]): string {
  const header = [
    'workload',
    'conc',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'requests',
    'APIQ RSS MB',
    'PG PSS MB',
    'APIQ CPU µs/req',
    'PG CPU µs/req',
  ];
  const body = rows.map((r, i) => [
    r.workload,
    String(r.concurrency),
    num(r.reqPerSec, 1),
    num(r.p50Ms, 2),
    num(r.p99Ms, 2),
    String(r.errors),
    String(extras[i]?.requests ?? '-'),
    num(r.peakRssMb, 0),
    num(extras[i]?.peakPostgresMb ?? NaN, 0),
    num(extras[i]?.apiqCpuUs ?? NaN, 0),
    num(extras[i]?.postgresCpuUs ?? NaN, 0),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The per-step engine overhead and the Code-node call, in words. */
export function formatExtras(extras: Extras): string {
  const lines: string[] = [];
  if (extras.engine) {
    const e = extras.engine;
    lines.push(
      `Engine overhead: ${num(e.perStepUs, 0)} µs per step (manual run of a ${e.steps}-step No-op chain, (finished_at − started_at) / ${e.steps}, median of ${e.samplesUs.length} runs: ${e.samplesUs.map((s) => num(s, 0)).join(', ')} µs)`,
    );
  }
  if (extras.codeNode) {
    const c = extras.codeNode;
    lines.push(
      `Code node, warm call (runUserCode with W2's code, in the benchmark process): median ${num(c.medianUs, 0)} µs, p99 ${num(c.p99Us, 0)} µs over ${c.calls} calls`,
    );
  }
  return lines.join('\n');
}
