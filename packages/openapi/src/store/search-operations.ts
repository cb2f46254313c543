import { sql, type Database, type Kysely } from '@apiq/db';

export interface OperationHit {
  specId: string;
  specSlug: string;
  specName: string;
  operationId: string;
  method: string;
  path: string;
  summary: string;
  tags: string[];
  rank: number;
}

/**
 * Full-text search over the workspace's imported operations (id words, summary, tags, path,
 * description), best first. Every word must match, as a prefix (`iss` finds issues); when
 * nothing matches all words, operations matching any of them are returned instead.
 *
 * @example
 * await searchOperations(db, DEFAULT_WORKSPACE_ID, 'create issue', 5);
 * // → [{ operationId: 'issues/create', method: 'POST', path: '/repos/{owner}/{repo}/issues', ... }, ...]
 */
export async function searchOperations(
  db: Kysely<Database>,
  workspaceId: string,
  query: string,
  limit = 20,
  options: { specId?: string } = {},
): Promise<OperationHit[]> {
  const words = query
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .match(/[a-z0-9]+/g);
  if (!words) return [];
  const all = await run(db, workspaceId, words.map((w) => `${w}:*`).join(' & '), query.trim(), limit, options);
  if (all.length > 0 || words.length === 1) return all;
  return run(db, workspaceId, words.map((w) => `${w}:*`).join(' | '), query.trim(), limit, options);
}

async function run(
  db: Kysely<Database>,
  workspaceId: string,
  tsquery: string,
  raw: string,
  limit: number,
  options: { specId?: string },
): Promise<OperationHit[]> {
  const q = sql`to_tsquery('english', ${tsquery})`;
  let query = db
    .selectFrom('api_operations as o')
    .innerJoin('api_specs as s', 's.id', 'o.spec_id')
    .select([
      'o.spec_id',
      's.slug',
      's.name',
      'o.operation_id',
      'o.method',
      'o.path',
      'o.summary',
      'o.tags',
      sql<number>`ts_rank(o.search, ${q}, 1)`.as('rank'),
    ])
    .where('s.workspace_id', '=', workspaceId)
    .where((eb) => eb.or([sql<boolean>`o.search @@ ${q}`, eb('o.operation_id', '=', raw)]));
  if (options.specId) query = query.where('o.spec_id', '=', options.specId);
  const rows = await query
    .orderBy(sql`o.operation_id = ${raw}`, 'desc')
    // An operation whose title says it all ("Create an issue") beats one matched through its id or description.
    // (normalised by its length, so "Create an issue" comes before "Create a reaction for an issue").
    .orderBy(sql`ts_rank(to_tsvector('english', o.summary), ${q}, 2)`, 'desc')
    .orderBy('rank', 'desc')
    .orderBy(sql`length(o.summary)`)
    .orderBy('o.operation_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    specId: r.spec_id,
    specSlug: r.slug,
    specName: r.name,
    operationId: r.operation_id,
    method: r.method,
    path: r.path,
    summary: r.summary,
    tags: r.tags,
    rank: Number(r.rank),
  }));
}
