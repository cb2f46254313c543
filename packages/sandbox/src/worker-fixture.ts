/**
 * Worker-thread entry used by run-in-worker.test.ts: runs a few calls through runUserCode
 * inside the worker and posts what happened back to the parent.
 */
import { parentPort } from 'node:worker_threads';
import { isolatesCreatedOnThisThread, runUserCode } from './index.ts';

async function outcome(code: string): Promise<unknown> {
  try {
    return { value: (await runUserCode({ code, data: { input: { items: [1, 2, 3, 4] } } })).value };
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message };
  }
}

const results = [
  await outcome('return input.items.reduce((sum, x) => sum + x, 0);'),
  await outcome('const a = []; while (true) a.push(new Array(1e6).fill(1));'),
  await outcome('while (true) {}'),
  await outcome('return input.items.map((x) => x * 10);'),
];
parentPort?.postMessage({ results, isolatesCreated: isolatesCreatedOnThisThread() });
