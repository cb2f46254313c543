import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../apps/cli/bin/apiq.js', import.meta.url));

export interface ExecutorProcess {
  proc: ChildProcess;
  pid: number;
  /** Resolves once the executor has registered and listens for runs. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `apiq worker` as a real separate process against `databaseUrl` (with a short lease so
 * crash tests run quickly). NODE_OPTIONS already carries --no-node-snapshot, so the command runs
 * in this one process and `pid` is the executor's own.
 */
export function startExecutorProcess(databaseUrl: string, env: Record<string, string> = {}): ExecutorProcess {
  const proc = spawn(process.execPath, [BIN, 'worker', '--concurrency', '16'], {
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim(),
      DATABASE_URL: databaseUrl,
      APIQ_LEASE_MS: '1500',
      APIQ_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    proc.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve());
    void exited.then((code) => reject(new Error(`executor exited with ${code} before it was ready:\n${stderr}`)));
  });
  return {
    proc,
    pid: proc.pid!,
    ready,
    exited,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitUntil<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
