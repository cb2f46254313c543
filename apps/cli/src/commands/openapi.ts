import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import {
  importSpec,
  installReadyConnection,
  listSpecs,
  readyConnections,
  refreshSpec,
  searchOperations,
  SpecError,
  type ImportResult,
} from '@apiq/openapi';
import { CliError, openMigratedDatabase, type OpenedDatabase } from '../context.ts';

async function withDatabase<T>(work: (opened: OpenedDatabase) => Promise<T>): Promise<T> {
  const opened = await openMigratedDatabase();
  try {
    return await work(opened);
  } catch (err) {
    if (err instanceof SpecError) {
      const unreadable = /no such file|cannot be downloaded|is not an http/.test(err.problem);
      throw new CliError(err.message, unreadable ? 2 : 1);
    }
    throw err;
  } finally {
    await opened.close();
  }
}

function printImport(result: ImportResult, json: boolean | undefined): void {
  if (json) {
    const { specId, slug, name, operations, skipped, warnings, notModified } = result;
    process.stdout.write(
      JSON.stringify({ specId, slug, name, operations, skipped, warnings, notModified }, null, 2) + '\n',
    );
    return;
  }
  const what = result.notModified ? 'Unchanged since the last import' : 'Imported';
  process.stdout.write(
    `${what}: "${result.name}" as ${result.slug}: ${result.operations} operation${result.operations === 1 ? '' : 's'}, ${result.skipped.length} skipped\n`,
  );
  for (const s of result.skipped) process.stdout.write(`  skipped ${s.operation} (${s.where}): ${s.reason}\n`);
  for (const w of result.warnings) process.stdout.write(`  warning: ${w}\n`);
}

/** `apiq openapi import <file|url>`: import a spec into the default workspace and report what was skipped. */
export async function openapiImportCommand(
  source: string,
  opts: { json?: boolean; name?: string; slug?: string },
): Promise<number> {
  const from = /^https?:\/\//i.test(source) ? { url: source } : { file: source };
  const result = await withDatabase(({ db }) =>
    importSpec(db, DEFAULT_WORKSPACE_ID, from, {
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.slug ? { slug: opts.slug } : {}),
    }),
  );
  printImport(result, opts.json);
  return 0;
}

/** `apiq openapi refresh <spec>`: re-fetch a spec imported from a URL (304 when unchanged). */
export async function openapiRefreshCommand(spec: string, opts: { json?: boolean; force?: boolean }): Promise<number> {
  const result = await withDatabase(({ db }) =>
    refreshSpec(db, DEFAULT_WORKSPACE_ID, spec, { ...(opts.force ? { force: true } : {}) }),
  );
  printImport(result, opts.json);
  return 0;
}

/** `apiq openapi list`: the imported specs. */
export async function openapiListCommand(opts: { json?: boolean }): Promise<number> {
  const specs = await withDatabase(({ db }) => listSpecs(db, DEFAULT_WORKSPACE_ID));
  if (opts.json) {
    process.stdout.write(JSON.stringify(specs, null, 2) + '\n');
    return 0;
  }
  if (specs.length === 0) process.stdout.write('no specs imported; try `apiq openapi ready petstore`\n');
  for (const s of specs) {
    const skipped = s.skipped ? `, ${s.skipped} skipped` : '';
    process.stdout.write(
      `${s.slug.padEnd(28)} ${String(s.operations).padStart(5)} operations${skipped}  ${s.name} ${s.version}${s.sourceUrl ? `  (${s.sourceUrl})` : ''}\n`,
    );
  }
  return 0;
}

/** `apiq openapi search <query>`: imported operations matching the words, best first. */
export async function openapiSearchCommand(query: string, opts: { json?: boolean; limit?: string }): Promise<number> {
  const limit = Number(opts.limit ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new CliError('--limit must be a whole number from 1 to 200', 2);
  const hits = await withDatabase(({ db }) => searchOperations(db, DEFAULT_WORKSPACE_ID, query, limit));
  if (opts.json) {
    process.stdout.write(JSON.stringify(hits, null, 2) + '\n');
    return 0;
  }
  if (hits.length === 0) process.stdout.write(`no operations match "${query}"\n`);
  for (const h of hits) {
    process.stdout.write(`${h.specSlug}:${h.operationId}  ${h.method} ${h.path}${h.summary ? `  ${h.summary}` : ''}\n`);
  }
  return 0;
}

/** `apiq openapi ready [id]`: list the ready connections, or import one. */
export async function openapiReadyCommand(id: string | undefined, opts: { json?: boolean }): Promise<number> {
  if (!id) {
    if (opts.json) {
      process.stdout.write(
        JSON.stringify(
          readyConnections.map(({ specFile: _file, ...c }) => c),
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    for (const c of readyConnections) process.stdout.write(`${c.id.padEnd(16)} ${c.title}: ${c.description}\n`);
    return 0;
  }
  const result = await withDatabase(({ db }) => installReadyConnection(db, DEFAULT_WORKSPACE_ID, id));
  printImport(result, opts.json);
  return 0;
}
