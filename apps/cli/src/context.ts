import { resolve } from 'node:path';
import { openDatabase, migrateToLatest } from '@apiq/db';
import { discoverNodes, findProjectRoot, type DiscoveredCatalog } from '@apiq/catalog';

export type OpenedDatabase = Awaited<ReturnType<typeof openDatabase>>;

export function dataDir(): string {
  return resolve(process.env.APIQ_DATA_DIR ?? resolve(findProjectRoot(), '.apiq'));
}

/**
 * Opens the configured database (DATABASE_URL, or the embedded one under the data dir) and migrates it.
 * `sessionSettings` apply to every connection (executors pass `ENGINE_SESSION_SETTINGS`).
 */
export async function openMigratedDatabase(sessionSettings?: Record<string, string>): Promise<OpenedDatabase> {
  const opened = await openDatabase({
    ...(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {}),
    dataDir: dataDir(),
    ...(sessionSettings ? { sessionSettings } : {}),
  });
  await migrateToLatest(opened.db);
  return opened;
}

let catalog: Promise<DiscoveredCatalog> | undefined;

/** The installed node types; broken plugins are reported on stderr and skipped. */
export function loadCatalog(report = true): Promise<DiscoveredCatalog> {
  catalog ??= discoverNodes(findProjectRoot()).then((c) => {
    if (report)
      for (const p of c.problems)
        process.stderr.write(
          `warning: node package ${p.packageName}${p.nodeId ? ` (${p.nodeId})` : ''}: ${p.message}\n`,
        );
    return c;
  });
  return catalog;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
