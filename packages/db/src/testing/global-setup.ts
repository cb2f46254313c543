import type { TestProject } from 'vitest/node';
import { ensureTemplateDatabase } from './template-database.ts';
import { startTestClusters, type RunningTestClusters } from './test-clusters.ts';
import { parseTestServers, TEST_SERVERS_ENV, type TestServer } from './test-server.ts';

/**
 * Vitest global setup: starts the PostgreSQL servers once per test run and hands them to
 * tests (`inject('pgServers')`, or `testServers()` from `@apiq/db/testing`) and to the
 * processes tests start (env APIQ_TEST_PG_URLS). Each server gets a migrated template
 * database so `createTestDatabase` is a fast copy.
 *
 * When APIQ_TEST_PG_URLS is already set, those servers are used and none is started.
 */

interface Started {
  servers: TestServer[];
  /** Set when this setup started the servers (and must stop them). */
  clusters?: RunningTestClusters;
  dispose?: () => void;
}

interface Shared {
  refs: number;
  started?: Promise<Started>;
}

// Vitest runs global setup once per project, each with its own module instance: share the
// servers through globalThis so one set serves every project.
const SHARED_KEY = Symbol.for('apiq.db.test-servers');
const shared: Shared = ((globalThis as Record<symbol, Shared | undefined>)[SHARED_KEY] ??= { refs: 0 });

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.refs++;
  shared.started ??= start();
  let servers: TestServer[];
  try {
    ({ servers } = await shared.started);
  } catch (error) {
    shared.refs--;
    shared.started = undefined;
    throw error;
  }
  project.provide('pgServers', servers);
  return async () => {
    shared.refs--;
    if (shared.refs > 0 || !shared.started) return;
    const { clusters, dispose } = await shared.started;
    shared.started = undefined;
    if (!clusters) return;
    dispose?.();
    delete process.env[TEST_SERVERS_ENV];
    await clusters.stop();
  };
}

async function start(): Promise<Started> {
  const preset = process.env[TEST_SERVERS_ENV];
  if (preset) {
    const servers = parseTestServers(preset);
    await Promise.all(servers.map((s) => ensureTemplateDatabase(s.url)));
    return { servers };
  }
  const clusters = await startTestClusters();
  const dispose = stopOnExit(clusters);
  try {
    await Promise.all(clusters.servers.map((s) => ensureTemplateDatabase(s.url)));
  } catch (error) {
    dispose();
    await clusters.stop();
    throw error;
  }
  process.env[TEST_SERVERS_ENV] = JSON.stringify(clusters.servers);
  return { servers: clusters.servers, clusters, dispose };
}

/** Interrupted runs (Ctrl-C, kill) must not leave servers behind. */
function stopOnExit(clusters: RunningTestClusters): () => void {
  const onExit = () => clusters.stopSync();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const handlers = signals.map((signal) => {
    const onSignal = () => {
      clusters.stopSync();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (terminate) unless Vitest handles the signal itself.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
    return [signal, onSignal] as const;
  });
  process.once('exit', onExit);
  return () => {
    process.removeListener('exit', onExit);
    for (const [signal, onSignal] of handlers) process.removeListener(signal, onSignal);
  };
}
