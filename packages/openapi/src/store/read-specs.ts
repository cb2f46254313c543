import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { sql, type Database, type Kysely } from '@apiq/db';
import {
  apiOperationSchema,
  securitySchemeMappingSchema,
  serverSchema,
  skippedOperationSchema,
  type ApiOperation,
  type ApiSpec,
} from '../model.ts';
import { z } from '@apiq/sdk';

const gunzipAsync = promisify(gunzip);

export interface SpecSummary {
  id: string;
  name: string;
  slug: string;
  title: string;
  version: string;
  specVersion: string;
  sourceUrl: string | null;
  etag: string | null;
  fetchedAt: Date | null;
  operations: number;
  skipped: number;
  updatedAt: Date;
}

/** A stored spec: the normalized `ApiSpec` plus its id and where it came from. */
export interface StoredSpec extends ApiSpec {
  id: string;
  name: string;
  slug: string;
  sourceUrl: string | null;
  etag: string | null;
}

/**
 * The workspace's imported specs, by name, with operation counts.
 *
 * @example
 * await listSpecs(db, DEFAULT_WORKSPACE_ID); // → [{ slug: 'petstore', operations: 19, skipped: 0, ... }]
 */
export async function listSpecs(db: Kysely<Database>, workspaceId: string): Promise<SpecSummary[]> {
  const rows = await db
    .selectFrom('api_specs as s')
    .select([
      's.id',
      's.name',
      's.slug',
      's.title',
      's.version',
      's.spec_version',
      's.source_url',
      's.etag',
      's.fetched_at',
      's.updated_at',
      sql<number>`jsonb_array_length(s.skipped)`.as('skipped_count'),
      (eb) =>
        eb
          .selectFrom('api_operations as o')
          .whereRef('o.spec_id', '=', 's.id')
          .select(sql<number>`count(*)::int`.as('n'))
          .as('operation_count'),
    ])
    .where('s.workspace_id', '=', workspaceId)
    .orderBy('s.name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    slug: r.slug,
    title: r.title,
    version: r.version,
    specVersion: r.spec_version,
    sourceUrl: r.source_url,
    etag: r.etag,
    fetchedAt: r.fetched_at,
    operations: Number(r.operation_count ?? 0),
    skipped: Number(r.skipped_count),
    updatedAt: r.updated_at,
  }));
}

/**
 * A stored spec by id or slug, with all its operations; undefined when the workspace has none such.
 *
 * @example
 * const spec = await loadSpec(db, DEFAULT_WORKSPACE_ID, 'petstore');
 */
export async function loadSpec(
  db: Kysely<Database>,
  workspaceId: string,
  idOrSlug: string,
): Promise<StoredSpec | undefined> {
  const row = await findSpecRow(db, workspaceId, idOrSlug);
  if (!row) return undefined;
  const ops = await db
    .selectFrom('api_operations')
    .select('operation')
    .where('spec_id', '=', row.id)
    .orderBy('path')
    .orderBy('method')
    .execute();
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    sourceUrl: row.source_url,
    etag: row.etag,
    title: row.title,
    version: row.version,
    description: '',
    specVersion: row.spec_version,
    servers: z.array(serverSchema).parse(row.servers),
    securitySchemes: z.array(securitySchemeMappingSchema).parse(row.security),
    skipped: z.array(skippedOperationSchema).parse(row.skipped),
    warnings: z.array(z.string()).parse(row.warnings),
    operations: ops.map((o) => apiOperationSchema.parse(o.operation)),
  };
}

/**
 * One operation of a stored spec.
 *
 * @example
 * await getOperation(db, DEFAULT_WORKSPACE_ID, specId, 'getPetById'); // → { method: 'GET', path: '/pet/{petId}', ... }
 */
export async function getOperation(
  db: Kysely<Database>,
  workspaceId: string,
  specId: string,
  operationId: string,
): Promise<ApiOperation | undefined> {
  const row = await db
    .selectFrom('api_operations as o')
    .innerJoin('api_specs as s', 's.id', 'o.spec_id')
    .select('o.operation')
    .where('s.workspace_id', '=', workspaceId)
    .where('o.spec_id', '=', specId)
    .where('o.operation_id', '=', operationId)
    .executeTakeFirst();
  return row ? apiOperationSchema.parse(row.operation) : undefined;
}

/** The document as it was imported (decompressed), for export or re-parsing. */
export async function readRawSpec(
  db: Kysely<Database>,
  workspaceId: string,
  idOrSlug: string,
): Promise<string | undefined> {
  const row = await findSpecRow(db, workspaceId, idOrSlug);
  if (!row?.raw) return undefined;
  return (await gunzipAsync(row.raw)).toString('utf8');
}

/**
 * Deletes a spec and its operations; returns whether it existed.
 *
 * @example
 * await deleteSpec(db, DEFAULT_WORKSPACE_ID, 'petstore'); // → true
 */
export async function deleteSpec(db: Kysely<Database>, workspaceId: string, idOrSlug: string): Promise<boolean> {
  const row = await findSpecRow(db, workspaceId, idOrSlug);
  if (!row) return false;
  await db.deleteFrom('api_specs').where('id', '=', row.id).execute();
  return true;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function findSpecRow(db: Kysely<Database>, workspaceId: string, idOrSlug: string) {
  return db
    .selectFrom('api_specs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => (UUID.test(idOrSlug) ? eb('id', '=', idOrSlug) : eb('slug', '=', idOrSlug)))
    .executeTakeFirst();
}
