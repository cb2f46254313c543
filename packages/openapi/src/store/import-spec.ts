import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Database, Kysely } from '@apiq/db';
import { fetchSpec, type SpecFetch } from '../fetch-spec.ts';
import type { ApiSpec, SkippedOperation } from '../model.ts';
import { parseSpec } from '../parse-spec.ts';
import { SpecError } from '../spec-error.ts';
import { findSpecRow } from './read-specs.ts';
import { saveSpec } from './save-spec.ts';

/** Where a spec comes from: a URL, a file on this machine, or pasted text. */
export type SpecSource = { url: string } | { file: string } | { text: string; sourceUrl?: string };

export interface ImportSpecOptions {
  /** Display name; defaults to the spec's title. */
  name?: string;
  /** Defaults to the name, slugified. Importing again under the same slug replaces the spec. */
  slug?: string;
  fetch?: SpecFetch;
}

export interface ImportResult {
  specId: string;
  name: string;
  slug: string;
  title: string;
  /** Operations imported. */
  operations: number;
  skipped: SkippedOperation[];
  warnings: string[];
  /** The URL's ETag matched the stored copy: nothing was downloaded or changed. */
  notModified: boolean;
}

/**
 * Imports a spec into a workspace: fetch (safe client, with the stored ETag when the URL was
 * imported before), parse, and store it with its operations in one transaction.
 *
 * @example
 * const result = await importSpec(db, DEFAULT_WORKSPACE_ID, { url: 'https://petstore3.swagger.io/api/v3/openapi.json' });
 * // → { slug: 'swagger-petstore-openapi-3-0', operations: 19, skipped: [], notModified: false, ... }
 */
export async function importSpec(
  db: Kysely<Database>,
  workspaceId: string,
  source: SpecSource,
  options: ImportSpecOptions = {},
): Promise<ImportResult> {
  if ('url' in source) {
    const cached = await db
      .selectFrom('api_specs')
      .select(['slug'])
      .where('workspace_id', '=', workspaceId)
      .where('source_url', '=', source.url)
      .$if(options.slug !== undefined, (qb) => qb.where('slug', '=', options.slug!))
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    if (cached && options.slug === undefined && options.name === undefined) {
      return refreshSpec(db, workspaceId, cached.slug, { ...(options.fetch ? { fetch: options.fetch } : {}) });
    }
  }
  const loaded = await loadSource(source, options.fetch);
  const spec = await parseSpec(loaded.text, {
    ...(loaded.sourceUrl ? { sourceUrl: loaded.sourceUrl } : {}),
    loadDocument: documentLoader(loaded.sourceUrl, options.fetch),
    name: loaded.name,
  });
  return store(db, workspaceId, spec, loaded, options);
}

/**
 * Re-fetches a spec imported from a URL. The stored ETag is sent as If-None-Match: on 304 only
 * `fetched_at` changes; otherwise the spec and its operations are replaced.
 *
 * @example
 * const { notModified, operations } = await refreshSpec(db, DEFAULT_WORKSPACE_ID, 'petstore');
 */
export async function refreshSpec(
  db: Kysely<Database>,
  workspaceId: string,
  idOrSlug: string,
  options: { fetch?: SpecFetch; force?: boolean } = {},
): Promise<ImportResult> {
  const row = await findSpecRow(db, workspaceId, idOrSlug);
  if (!row) throw new SpecError(idOrSlug, 'no such spec in this workspace; see `apiq openapi list`');
  if (!row.source_url) {
    throw new SpecError(row.slug, 'was not imported from a URL, so it cannot be refreshed; import the file again');
  }
  const got = await fetchSpec(row.source_url, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    etag: options.force ? null : row.etag,
  });
  if (got.status === 'not-modified') {
    await db.updateTable('api_specs').set({ fetched_at: new Date() }).where('id', '=', row.id).execute();
    const count = await db
      .selectFrom('api_operations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('spec_id', '=', row.id)
      .executeTakeFirstOrThrow();
    return {
      specId: row.id,
      name: row.name,
      slug: row.slug,
      title: row.title,
      operations: Number(count.n),
      skipped: row.skipped as SkippedOperation[],
      warnings: row.warnings as string[],
      notModified: true,
    };
  }
  const spec = await parseSpec(got.text, {
    sourceUrl: got.url,
    loadDocument: documentLoader(got.url, options.fetch),
  });
  return store(
    db,
    workspaceId,
    spec,
    { text: got.text, sourceUrl: got.url, etag: got.etag, name: got.url },
    {
      name: row.name,
      slug: row.slug,
    },
  );
}

interface LoadedSource {
  text: string;
  /** http(s) URL, or file:// URL for files. */
  sourceUrl?: string;
  etag?: string | null;
  name: string;
}

async function loadSource(source: SpecSource, fetch: SpecFetch | undefined): Promise<LoadedSource> {
  if ('url' in source) {
    const got = await fetchSpec(source.url, fetch ? { fetch } : {});
    if (got.status !== 'fetched') throw new SpecError(source.url, 'answered 304 to a request without an ETag');
    return { text: got.text, sourceUrl: got.url, etag: got.etag, name: source.url };
  }
  if ('file' in source) {
    const path = resolve(source.file);
    try {
      return { text: await readFile(path, 'utf8'), sourceUrl: pathToFileURL(path).href, name: source.file };
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new SpecError(source.file, reason, { cause: err });
    }
  }
  return { text: source.text, ...(source.sourceUrl ? { sourceUrl: source.sourceUrl } : {}), name: 'the pasted spec' };
}

/**
 * External `$ref`s: URLs through the safe client; files only next to a spec that is itself a
 * file (a spec from the web or pasted text never reads this machine's files).
 */
function documentLoader(sourceUrl: string | undefined, fetch: SpecFetch | undefined) {
  const fromFile = sourceUrl?.startsWith('file:') ?? false;
  return async (uri: string): Promise<string> => {
    if (/^https?:/i.test(uri)) {
      const got = await fetchSpec(uri, fetch ? { fetch } : {});
      if (got.status !== 'fetched') throw new Error('unexpected 304');
      return got.text;
    }
    if (uri.startsWith('file:') && fromFile) return readFile(fileURLToPath(uri), 'utf8');
    throw new Error('only http(s) documents can be referenced from a spec that is not a local file');
  };
}

async function store(
  db: Kysely<Database>,
  workspaceId: string,
  spec: ApiSpec,
  loaded: LoadedSource,
  options: ImportSpecOptions,
): Promise<ImportResult> {
  const name = options.name ?? spec.title;
  const httpSource = loaded.sourceUrl && /^https?:/i.test(loaded.sourceUrl) ? loaded.sourceUrl : undefined;
  const saved = await saveSpec(db, workspaceId, {
    name,
    ...(options.slug ? { slug: options.slug } : {}),
    spec,
    raw: loaded.text,
    ...(httpSource ? { sourceUrl: httpSource, etag: loaded.etag ?? null } : {}),
  });
  return {
    specId: saved.specId,
    name,
    slug: saved.slug,
    title: spec.title,
    operations: spec.operations.length,
    skipped: spec.skipped,
    warnings: spec.warnings,
    notModified: false,
  };
}
