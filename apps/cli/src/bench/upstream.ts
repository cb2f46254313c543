import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./upstream-server.mjs', import.meta.url));

export interface Upstream {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the `{"ok":true}` upstream in a child process on a free port of 127.0.0.1.
 *
 * @example
 * const upstream = await startUpstream();
 * await fetch(upstream.url); // {"ok":true}
 * await upstream.stop();
 */
export async function startUpstream(): Promise<Upstream> {
  const child = fork(SERVER, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the benchmark upstream (${SERVER}) did not start within 10 s`)),
      10_000,
    );
    child.once('message', (m: { port?: number }) => {
      clearTimeout(timer);
      if (typeof m?.port === 'number') resolve(m.port);
      else reject(new Error(`the benchmark upstream sent an unexpected message: ${JSON.stringify(m)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark upstream (${SERVER}) exited on start (${signal ?? code})`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
