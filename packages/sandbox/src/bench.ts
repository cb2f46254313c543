/**
 * Prints the warm per-call latency of runUserCode: a small reduce over 10 items.
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

async function main(): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await runUserCode({ code: CODE, data });
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await runUserCode({ code: CODE, data });
    samples.push((performance.now() - t) * 1000);
  }
  const elapsed = performance.now() - started;
  const p99 = [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.99)]!;
  console.log(
    `runUserCode, warm, sequential: median ${median(samples).toFixed(0)} µs, p99 ${p99.toFixed(0)} µs, ${Math.round((RUNS / elapsed) * 1000)} calls/s`,
  );
}

await main();
