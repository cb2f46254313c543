/**
 * Prints the warm per-call latency and CPU time of runUserCode on a small reduce over 10 items:
 * with a new context per call, and on a kept context (a reuseKey, as the Code node runs).
 * Run: NODE_OPTIONS=--no-node-snapshot npx tsx packages/sandbox/src/bench.ts
 */
import { runUserCode } from './index.ts';

const CODE = 'const total = input.items.reduce((sum, item) => sum + item.price * item.qty, 0);\nreturn { total };';
const data = { input: { items: Array.from({ length: 10 }, (_, i) => ({ price: i + 0.5, qty: i % 3 })) } };
const WARMUP = 500;
const RUNS = 5000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(label: string, reuseKey: string | undefined): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await runUserCode({ code: CODE, data, reuseKey });
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await runUserCode({ code: CODE, data, reuseKey });
    samples.push((performance.now() - t) * 1000);
  }
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const p99 = [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.99)]!;
  console.log(
    `runUserCode, ${label}: median ${median(samples).toFixed(0)} µs, p99 ${p99.toFixed(0)} µs, ` +
      `${((cpu.user + cpu.system) / RUNS).toFixed(0)} µs CPU per call (all threads), ${Math.round((RUNS / elapsed) * 1000)} calls/s`,
  );
}

await measure('new context per call', undefined);
await measure('kept context (reuseKey)', 'bench');
