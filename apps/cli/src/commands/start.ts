import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openDatabase, startEmbeddedPostgres } from '@apiq/db';
import { dataDir } from '../context.ts';
import { ensureEditorBuilt } from '../editor-app.ts';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));

interface Child {
  name: string;
  args: string[];
  proc?: ChildProcess;
  restarts: number;
}

/**
 * `apiq start`: everything on one machine. Starts the embedded PostgreSQL (unless DATABASE_URL is
 * set), migrates it, then runs the web server and the executors as separate processes and
 * restarts any that dies — an executor killed mid-run is replaced and its runs resume.
 */
export async function startCommand(opts: { port?: string; workers?: string }): Promise<void> {
  const port = Number(opts.port ?? process.env.PORT ?? 3000);
  const workers = Math.max(1, Number(opts.workers ?? process.env.APIQ_WORKERS ?? 1));
  let url = process.env.DATABASE_URL;
  let embedded: { stop(): Promise<void> } | undefined;
  if (!url) {
    process.stdout.write('Starting the embedded PostgreSQL...\n');
    const pg = await startEmbeddedPostgres(dataDir(), { log: (line) => process.stdout.write(`${line}\n`) });
    url = pg.url;
    embedded = pg;
  }
  ensureEditorBuilt();
  const opened = await openDatabase({ url });
  await migrateToLatest(opened.db);
  await opened.close();

  const env = { ...process.env, DATABASE_URL: url, PORT: String(port) };
  const children: Child[] = [{ name: 'web', args: ['web'], restarts: 0 }];
  for (let i = 0; i < workers; i++) children.push({ name: `worker-${i + 1}`, args: ['worker'], restarts: 0 });
  let stopping = false;

  const spawnChild = (c: Child) => {
    const proc = fork(BIN, c.args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    c.proc = proc;
    proc.on('message', (m: { type?: string; port?: number }) => {
      if (m?.type === 'listening')
        process.stdout.write(
          `\nAPIQ is running at http://localhost:${m.port}\n  health:   http://localhost:${m.port}/api/health\n  webhooks: http://localhost:${m.port}/webhook/<path>\nPress Ctrl+C to stop.\n\n`,
        );
    });
    proc.on('exit', (code, signal) => {
      if (stopping) return;
      c.restarts++;
      const delay = Math.min(10_000, 250 * 2 ** Math.min(c.restarts, 6));
      process.stderr.write(`${c.name} exited (${signal ?? code}); restarting in ${delay} ms\n`);
      setTimeout(() => !stopping && spawnChild(c), delay).unref();
    });
  };
  children.forEach(spawnChild);

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping APIQ...\n');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (!c.proc || c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
            c.proc.once('exit', () => resolve());
            c.proc.kill('SIGTERM');
            setTimeout(() => c.proc?.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
