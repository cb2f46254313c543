import { disposeWarmIsolates, runUserCode } from '@apiq/sandbox';
import { median, percentile, round } from './stats.ts';
import { W2_CODE, W2_CODE_INPUT } from './workloads.ts';

export interface CodeNodeCall {
  calls: number;
  medianUs: number;
  p99Us: number;
}

/**
 * The warm cost of one Code-node call in this process: `runUserCode` with W2's code and input as
 * the Code node calls it (the workflow's kept context in a warm isolate, checked untouched,
 * data copied in, result copied out), after a warm-up.
 *
 * @example
 * const { medianUs } = await measureCodeNodeCall({ calls: 2000, warmup: 200 });
 */
export async function measureCodeNodeCall(o: { calls: number; warmup: number }): Promise<CodeNodeCall> {
  const data = { input: W2_CODE_INPUT };
  const reuseKey = 'bench-w2';
  try {
    const first = await runUserCode({ code: W2_CODE, data, reuseKey });
    const expected = JSON.stringify({ total: 137.5, count: 10 });
    if (JSON.stringify(first.value) !== expected) {
      throw new Error(`the W2 Code node returned ${JSON.stringify(first.value)} in the sandbox; expected ${expected}`);
    }
    for (let i = 0; i < o.warmup; i++) await runUserCode({ code: W2_CODE, data, reuseKey });
    const samples: number[] = [];
    for (let i = 0; i < o.calls; i++) {
      const t = process.hrtime.bigint();
      await runUserCode({ code: W2_CODE, data, reuseKey });
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    return { calls: o.calls, medianUs: round(median(samples), 1), p99Us: round(percentile(samples, 99), 1) };
  } finally {
    disposeWarmIsolates();
  }
}
