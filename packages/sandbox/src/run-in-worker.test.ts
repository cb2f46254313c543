import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a TypeScript file. On Node 20, tsx registers its ESM hooks only on
 * the main thread (`execArgv: ['--import', 'tsx']` loads tsx in the worker but not its hooks), so
 * the worker registers them itself before importing the file. --no-node-snapshot is inherited
 * from NODE_OPTIONS; putting it in execArgv throws.
 */
function startTsWorker(file: URL): Worker {
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

describe('runUserCode inside a worker thread', () => {
  it('runs, contains a memory kill and a timeout, and lets the worker exit', async () => {
    const worker = startTsWorker(new URL('./worker-fixture.ts', import.meta.url));
    const message = new Promise<{ results: unknown[]; isolatesCreated: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const exitCode = new Promise<number>((resolve) => worker.once('exit', resolve));
    const { results, isolatesCreated } = await message;
    expect(results).toEqual([
      { value: 10 },
      { error: 'CodeMemoryError', message: expect.stringMatching(/^Code used more than 64 MB/) },
      { error: 'CodeTimeoutError', message: expect.stringMatching(/^Code ran longer than 1000 ms/) },
      { value: [10, 20, 30, 40] },
    ]);
    expect(isolatesCreated).toBe(2);
    expect(await exitCode).toBe(0);
  });
});
