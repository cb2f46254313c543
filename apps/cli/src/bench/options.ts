import { CliError } from '../context.ts';
import { WORKLOAD_IDS, type WorkloadId } from './workloads.ts';

export interface RawBenchOptions {
  json?: boolean;
  duration?: string;
  workloads?: string;
  concurrency?: string;
}

export interface BenchOptions {
  json: boolean;
  /** Measured seconds per workload and concurrency. */
  durationSec: number;
  /** Seconds of load before each measurement, at the same concurrency; discarded. */
  warmupSec: number;
  workloads: WorkloadId[];
  concurrencies: number[];
}

export const DEFAULT_CONCURRENCIES = [1, 10, 50];
const WARMUP_SEC = 2;

/**
 * Checks the `apiq bench` flags and fills in the defaults.
 *
 * @example
 * parseBenchOptions({ duration: '3', workloads: 'w1,w3', concurrency: '1,10' });
 * // { json: false, durationSec: 3, warmupSec: 2, workloads: ['w1', 'w3'], concurrencies: [1, 10] }
 * @throws CliError naming the flag and the accepted values
 */
export function parseBenchOptions(raw: RawBenchOptions): BenchOptions {
  const durationSec = Number(raw.duration ?? 10);
  if (!Number.isInteger(durationSec) || durationSec < 1 || durationSec > 3600) {
    throw new CliError(`--duration must be a whole number of seconds from 1 to 3600 (got "${raw.duration}")`, 2);
  }
  return {
    json: raw.json === true,
    durationSec,
    warmupSec: WARMUP_SEC,
    workloads: raw.workloads === undefined ? [...WORKLOAD_IDS] : parseWorkloads(raw.workloads),
    concurrencies: raw.concurrency === undefined ? DEFAULT_CONCURRENCIES : parseConcurrencies(raw.concurrency),
  };
}

function parseWorkloads(text: string): WorkloadId[] {
  const ids = splitList(text);
  const unknown = ids.filter((id) => !(WORKLOAD_IDS as readonly string[]).includes(id));
  if (ids.length === 0 || unknown.length > 0) {
    throw new CliError(
      `--workloads: unknown workload ${unknown.map((u) => `"${u}"`).join(', ') || '(none given)'}; choose from ${WORKLOAD_IDS.join(', ')} (comma-separated, e.g. --workloads w1,w3)`,
      2,
    );
  }
  return WORKLOAD_IDS.filter((id) => ids.includes(id));
}

function parseConcurrencies(text: string): number[] {
  const parts = splitList(text);
  const values = parts.map(Number);
  const bad = parts.filter((_, i) => !Number.isInteger(values[i]) || values[i]! < 1 || values[i]! > 1000);
  if (parts.length === 0 || bad.length > 0) {
    throw new CliError(
      `--concurrency: ${bad.map((b) => `"${b}"`).join(', ') || '(none given)'} is not a number of connections from 1 to 1000 (comma-separated, e.g. --concurrency 1,10)`,
      2,
    );
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
