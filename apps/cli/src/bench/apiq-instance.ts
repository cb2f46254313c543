import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { postmasterPid } from './process-memory.ts';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));

export interface ApiqInstance {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** The supervisor (`apiq start`); the web server and executor are its children. */
  pid: number;
  dataDir: string;
  pgDataDir: string;
  /** Stops APIQ (SIGTERM to the supervisor, which stops its children and PostgreSQL) and removes the data dir. */
  stop(): Promise<void>;
  /** Called once if the supervisor exits without stop() having been called, with its exit code or signal. */
  onUnexpectedExit(listener: (how: string) => void): void;
}

export interface StartApiqOptions {
  /** Lines APIQ prints (progress, warnings), already prefixed. */
  log: (line: string) => void;
  /** Extra environment for APIQ, on top of a clean one. */
  env?: Record<string, string>;
  /** How long to wait for /api/health. Default 120 s (the first start runs initdb). */
  startTimeoutMs?: number;
  /** Gives up waiting (and stops what was started) when aborted. */
  signal?: AbortSignal;
}

/**
 * Starts a fresh APIQ with its defaults (embedded PostgreSQL, one web process, one executor) in
 * a new temporary data directory, on a free port of 127.0.0.1, and waits until /api/health answers.
 * DATABASE_URL, PORT, HOST and APIQ_* of the calling environment are not passed on.
 *
 * @example
 * const apiq = await startApiq({ log: (l) => process.stderr.write(l + '\n'), env: { APIQ_LOG_LEVEL: 'warn' } });
 * await fetch(`${apiq.baseUrl}/api/health`);
 * await apiq.stop();
 */
export async function startApiq(o: StartApiqOptions): Promise<ApiqInstance> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'apiq-bench-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'DATABASE_URL' || k === 'PORT' || k === 'HOST' || k.startsWith('APIQ_')) continue;
    env[k] = v;
  }
  // With the flag already set, bin/apiq.js does not re-execute itself: the pid we get is the supervisor.
  if (!(env.NODE_OPTIONS ?? '').includes('--no-node-snapshot'))
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim();
  Object.assign(env, { APIQ_DATA_DIR: dataDir, HOST: '127.0.0.1' }, o.env);

  // Its own process group: a Ctrl-C in the terminal reaches the benchmark, which stops APIQ in order.
  const child = spawn(process.execPath, [BIN, 'start', '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const recent: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      o.log(`[apiq] ${line}`);
    }
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const pgDataDir = path.join(dataDir, 'pg');

  // Should this process die without stopping APIQ (an uncaught error), APIQ must not outlive it.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const finished = await Promise.race([
          exited.then(() => true),
          delay(30_000, undefined, { ref: false }).then(() => false),
        ]);
        if (!finished) {
          o.log(`APIQ (pid ${child.pid}) did not stop within 30 s of SIGTERM; killing its process group`);
          killGroup(child.pid!);
          await exited;
        }
      }
      // The supervisor stops PostgreSQL on its way out; if it could not, stop it here.
      const pg = postmasterPid(pgDataDir);
      if (pg !== undefined && isAlive(pg)) {
        process.kill(pg, 'SIGINT'); // PostgreSQL's fast shutdown
        for (let i = 0; i < 100 && isAlive(pg); i++) await delay(100);
      }
      await rm(dataDir, { recursive: true, force: true });
    })());

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 120_000);
  try {
    while (true) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `APIQ exited while starting (${child.signalCode ?? child.exitCode}). Its last output:\n  ${recent.join('\n  ')}`,
        );
      }
      if (o.signal?.aborted) throw new Error('interrupted while APIQ was starting');
      if (await healthy(baseUrl)) break;
      if (Date.now() > deadline) {
        throw new Error(
          `APIQ did not answer ${baseUrl}/api/health within ${Math.round((o.startTimeoutMs ?? 120_000) / 1000)} s. Its last output:\n  ${recent.join('\n  ')}`,
        );
      }
      await delay(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    baseUrl,
    pid: child.pid!,
    dataDir,
    pgDataDir,
    stop,
    onUnexpectedExit(listener) {
      void exited.then(([code, signal]) => {
        if (!stopped) listener(signal ?? `exit code ${code}`);
      });
    },
  };
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
