import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const started: ChildProcess[] = [];

/**
 * For tests: a node process that starts a child of its own running `childCode`, and reports that
 * child's pid. Stop them all with `stopProcessTrees()` (e.g. in afterEach).
 *
 * @example
 * const { parent, grandchildPid } = await parentWithGrandchild('setInterval(() => {}, 1000)');
 */
export async function parentWithGrandchild(
  childCode = 'setInterval(() => {}, 1000)',
): Promise<{ parent: ChildProcess; grandchildPid: number }> {
  const script = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, ['-e', ${JSON.stringify(childCode)}], { stdio: 'ignore' });
    process.on('SIGTERM', () => { c.kill(); process.exit(0); });
    console.log(c.pid);
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(parent);
  const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
  return { parent, grandchildPid: Number(chunk.toString().trim()) };
}

/** Stops every process tree `parentWithGrandchild` started. */
export async function stopProcessTrees(): Promise<void> {
  for (const p of started.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      const exited = once(p, 'exit');
      p.kill('SIGTERM');
      await exited;
    }
  }
}
