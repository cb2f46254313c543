import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { jsonb, type Database, type Kysely } from '@apiq/db';
import type { ApiSpec } from '../model.ts';
import { searchKeywords, slugify } from './slug.ts';

const gzipAsync = promisify(gzip);
/** Rows per INSERT: a few hundred operations keep each statement well under PostgreSQL's parameter limit. */
const INSERT_CHUNK = 250;

export interface SaveSpecInput {
  name: string;
  /** Defaults to the name, slugified. A spec with the same slug in the workspace is replaced. */
  slug?: string;
  spec: ApiSpec;
  /** The document text as fetched or read, kept compressed. */
  raw?: string;
  sourceUrl?: string;
  etag?: string | null;
}

export interface SavedSpec {
  specId: string;
  slug: string;
  name: string;
}

/**
 * Stores a parsed spec in a workspace: the spec row and all its operations, replacing the
 * operations of a spec with the same slug, in one transaction (an import is never half-written).
 *
 * @example
 * const { specId } = await saveSpec(db, DEFAULT_WORKSPACE_ID, { name: 'Petstore', spec, raw: text });
 */
export async function saveSpec(db: Kysely<Database>, workspaceId: string, input: SaveSpecInput): Promise<SavedSpec> {
  const slug = input.slug ?? slugify(input.name);
  // Compressed on the thread pool while the operations are written.
  const raw = input.raw === undefined ? null : gzipAsync(Buffer.from(input.raw, 'utf8'), { level: 4 });
  raw?.catch(() => undefined);
  const { spec } = input;
  const values = {
    name: input.name,
    title: spec.title,
    version: spec.version,
    spec_version: spec.specVersion,
    source_url: input.sourceUrl ?? null,
    etag: input.etag ?? null,
    fetched_at: input.sourceUrl ? new Date() : null,
    servers: jsonb(spec.servers),
    security: jsonb(spec.securitySchemes),
    skipped: jsonb(spec.skipped),
    warnings: jsonb(spec.warnings),
    updated_at: new Date(),
  };
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('api_specs')
      .values({ workspace_id: workspaceId, slug, ...values })
      .onConflict((oc) => oc.columns(['workspace_id', 'slug']).doUpdateSet(values))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('api_operations').where('spec_id', '=', row.id).execute();
    for (let i = 0; i < spec.operations.length; i += INSERT_CHUNK) {
      const chunk = spec.operations.slice(i, i + INSERT_CHUNK);
      await trx
        .insertInto('api_operations')
        .values(
          chunk.map((op) => ({
            spec_id: row.id,
            operation_id: op.operationId,
            method: op.method,
            path: op.path,
            summary: op.summary,
            description: op.description,
            tags: op.tags,
            keywords: searchKeywords(op.operationId, op.tags),
            operation: jsonb(op),
          })),
        )
        .execute();
    }
    await trx
      .updateTable('api_specs')
      .set({ raw: raw ? await raw : null })
      .where('id', '=', row.id)
      .execute();
    return { specId: row.id, slug, name: input.name };
  });
}
