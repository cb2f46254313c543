import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../apps/cli/bin/apiq.js', import.meta.url));

/** One `apiq web` or `apiq worker` process started by the editor harness. */
export interface AppProcess {
  name: string;
  proc: ChildProcess;
  /** Resolves with the IPC message the process sends when it is up (`listening` or `ready`). */
  up: Promise<{ type: string; port?: number }>;
  /** The last lines it printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

// A test process that ends (or is interrupted) must not leave APIQ processes behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const proc of alive) proc.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      killAll();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
}

/**
 * Starts `apiq <command>` as a child with an IPC channel and waits for nothing yet: await `up`.
 * NODE_OPTIONS carries --no-node-snapshot, so the command runs in the child itself (no re-exec)
 * and the IPC message reaches us.
 */
export function startAppProcess(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  upType: 'listening' | 'ready',
): AppProcess {
  installExitHook();
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim() },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  alive.add(proc);
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 60) lines.shift();
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      alive.delete(proc);
      resolve();
    }),
  );
  const up = new Promise<{ type: string; port?: number }>((resolve, reject) => {
    proc.on('message', (m: { type?: string; port?: number }) => {
      if (m?.type === upType) resolve(m as { type: string; port?: number });
    });
    void exited.then(() =>
      reject(new Error(`apiq ${args[0]} (${name}) exited before it was up. Its last output:\n  ${lines.join('\n  ')}`)),
    );
  });
  up.catch(() => undefined);

  let stopping: Promise<void> | undefined;
  return {
    name,
    proc,
    up,
    output: () => lines.join('\n'),
    stop: () =>
      (stopping ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}
