import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { chown, mkdir, readFile, rename, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresIdentity } from './run-as-postgres.ts';
import { isProcessAlive } from './process-alive.ts';

/** A PostgreSQL data directory and the binaries that manage it. */
export interface Cluster {
  binDir: string;
  dataDir: string;
}

export interface InitClusterOptions extends Cluster {
  /** `trust` for throw-away test servers; `scram-sha-256` (with a password) otherwise. */
  auth: 'trust' | 'scram-sha-256';
  /** Password of the `postgres` superuser. */
  password?: string;
  /** Skip fsync during initdb (test servers). */
  noSync?: boolean;
  /** Lines appended to postgresql.conf. */
  settings?: Record<string, string | number | boolean>;
}

/** Thrown when the server could not bind its port (another process holds it). */
export class PortInUseError extends Error {}

const LOG_FILE = 'postgres.log';
const MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * Creates a new cluster with initdb (UTF-8, C locale, superuser `postgres`).
 *
 * @example
 * await initCluster({ binDir, dataDir, auth: 'trust', noSync: true, settings: { fsync: 'off' } });
 */
export async function initCluster(options: InitClusterOptions): Promise<void> {
  const { binDir, dataDir } = options;
  const identity = postgresIdentity();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (identity.uid !== undefined) await chown(dataDir, identity.uid, identity.gid ?? identity.uid);

  const args = [
    `--pgdata=${dataDir}`,
    '--username=postgres',
    `--auth=${options.auth}`,
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
  if (options.noSync) args.push('--no-sync');
  let pwDir: string | undefined;
  if (options.password !== undefined) {
    pwDir = mkdtempSync(path.join(tmpdir(), 'apiq-pw-'));
    const pwFile = path.join(pwDir, 'pw');
    await writeFile(pwFile, `${options.password}\n`, { mode: 0o600 });
    if (identity.uid !== undefined) {
      await chown(pwDir, identity.uid, identity.gid ?? identity.uid);
      await chown(pwFile, identity.uid, identity.gid ?? identity.uid);
    }
    args.push(`--pwfile=${pwFile}`);
  }
  try {
    const result = await runPostgresBinary(path.join(binDir, 'initdb'), args, dataDir);
    if (result.code !== 0) {
      throw new Error(
        `initdb failed for the PostgreSQL data directory ${dataDir} (exit code ${result.code}):\n${tail(result.output)}${rootHint(dataDir)}`,
      );
    }
  } finally {
    if (pwDir) await rm(pwDir, { recursive: true, force: true });
  }
  if (options.settings) {
    const lines = Object.entries(options.settings).map(([key, value]) => `${key} = ${formatSetting(value)}`);
    await appendFile(path.join(dataDir, 'postgresql.conf'), `\n# APIQ settings\n${lines.join('\n')}\n`);
  }
}

/**
 * Starts the cluster with pg_ctl and waits until it accepts connections. The server runs
 * detached (it survives this process); stop it with {@link stopCluster}.
 *
 * @example
 * await startCluster({ binDir, dataDir, port: 54321 });
 */
export async function startCluster(cluster: Cluster & { port: number; options?: string[] }): Promise<void> {
  const logFile = path.join(cluster.dataDir, LOG_FILE);
  await rotateLog(logFile);
  // pg_ctl hands -o to a shell: quote every word.
  const serverOptions = ['-p', String(cluster.port), ...(cluster.options ?? [])].map(shellQuote).join(' ');
  const result = await runPostgresBinary(
    path.join(cluster.binDir, 'pg_ctl'),
    ['-D', cluster.dataDir, '-l', logFile, '-w', '-t', '120', '-o', serverOptions, 'start'],
    cluster.dataDir,
  );
  if (result.code === 0) return;
  const log = await readTail(logFile);
  const detail = `${tail(result.output)}\n${log}`;
  if (/address already in use|could not create any TCP\/IP sockets/i.test(log)) {
    throw new PortInUseError(
      `PostgreSQL in ${cluster.dataDir} could not listen on port ${cluster.port}: it is in use.\n${detail}`,
    );
  }
  throw new Error(
    `PostgreSQL in ${cluster.dataDir} did not start (pg_ctl exit code ${result.code}):\n${detail}${rootHint(cluster.dataDir)}`,
  );
}

/**
 * Stops the cluster (`pg_ctl stop -m fast`: running transactions are rolled back, clients
 * disconnected). Does nothing when it is not running.
 *
 * @example
 * await stopCluster({ binDir, dataDir });
 */
export async function stopCluster(cluster: Cluster, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  const result = await runPostgresBinary(
    path.join(cluster.binDir, 'pg_ctl'),
    ['-D', cluster.dataDir, '-m', mode, '-w', '-t', '60', 'stop'],
    cluster.dataDir,
  );
  if (result.code !== 0 && !/PID file .* does not exist|is the server running/i.test(result.output)) {
    throw new Error(
      `Could not stop PostgreSQL in ${cluster.dataDir} (pg_ctl exit code ${result.code}):\n${tail(result.output)}`,
    );
  }
}

/** Synchronous variant of {@link stopCluster} for `exit` and signal handlers; never throws. */
export function stopClusterSync(cluster: Cluster, mode: 'fast' | 'immediate' = 'fast'): void {
  spawnSync(path.join(cluster.binDir, 'pg_ctl'), ['-D', cluster.dataDir, '-m', mode, '-w', '-t', '30', 'stop'], {
    ...postgresIdentity(),
    cwd: cluster.dataDir,
    stdio: 'ignore',
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
}

/** The fields of a data directory's postmaster.pid, or undefined when there is none. */
export async function readPostmasterPid(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  return { pid: Number.isInteger(pid) ? pid : -1, port: Number.isInteger(port) ? port : -1 };
}

/**
 * Whether `pid` is a live PostgreSQL server process. On Linux the command line is checked,
 * so a recycled pid (common in containers after a restart) is not mistaken for the server.
 */
export async function isPostgresProcess(pid: number): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return /postgres|postmaster/.test(cmdline);
  } catch {
    return process.platform !== 'linux';
  }
}

interface BinaryResult {
  code: number;
  output: string;
}

function runPostgresBinary(file: string, args: string[], cwd: string): Promise<BinaryResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...postgresIdentity(),
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`Could not run ${file}: ${error.message}`)));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

async function rotateLog(logFile: string): Promise<void> {
  try {
    if ((await stat(logFile)).size > MAX_LOG_BYTES) await rename(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
}

async function readTail(file: string): Promise<string> {
  try {
    return tail(await readFile(file, 'utf8'));
  } catch {
    return '';
  }
}

function tail(text: string, lines = 20): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function rootHint(dataDir: string): string {
  if (postgresIdentity().uid === undefined) return '';
  return `\n(Running as root: PostgreSQL runs as the 'postgres' system user, which must be able to enter every parent directory of ${dataDir}.)`;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function formatSetting(value: string | number | boolean): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return `'${value.replace(/'/g, "''")}'`;
}
