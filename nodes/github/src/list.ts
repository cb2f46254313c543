import { FatalError, type Json, type NodeContext } from '@apiq/sdk';
import { callGitHub, nextPageOf } from './request.ts';

export interface ListPage {
  items: Json[];
  count: number;
  /** More items exist after these. */
  hasMore: boolean;
  /** Pass as `cursor` to continue where this list stopped; null at the end. */
  nextCursor: string | null;
}

interface Cursor {
  page: number;
  perPage: number;
  skip: number;
}

const CURSOR = /^(\d{1,6}):(\d{1,3}):(\d{1,3})$/;

/** Reads a cursor made by `listGitHub` (`page:perPage:skip`). */
function parseCursor(cursor: string): Cursor {
  const m = CURSOR.exec(cursor);
  if (!m)
    throw new FatalError(
      `cursor "${cursor.slice(0, 40)}" is not one this node produced; pass the nextCursor of an earlier list, or leave it empty`,
    );
  const c = { page: Number(m[1]), perPage: Number(m[2]), skip: Number(m[3]) };
  if (c.page < 1 || c.perPage < 1 || c.perPage > 100 || c.skip >= c.perPage)
    throw new FatalError(`cursor "${cursor}" is out of range; pass the nextCursor of an earlier list`);
  return c;
}

/**
 * Lists up to `limit` items of a GitHub list endpoint, following pages (`per_page` up to 100).
 * The returned cursor resumes exactly after the last returned item.
 *
 * @example
 * const page = await listGitHub(ctx, '/repos/octocat/hello-world/pulls', { state: 'open' }, 50);
 */
export async function listGitHub(
  ctx: Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal'>,
  path: string,
  query: Record<string, string | number | undefined>,
  limit: number,
  cursor?: string,
): Promise<ListPage> {
  let at: Cursor = cursor ? parseCursor(cursor) : { page: 1, perPage: Math.min(100, limit), skip: 0 };
  const items: Json[] = [];
  while (true) {
    const res = await callGitHub(ctx, {
      method: 'GET',
      path,
      query: { ...query, per_page: at.perPage, page: at.page },
    });
    if (!Array.isArray(res.body))
      throw new FatalError(`GitHub GET ${path} did not answer with a list (got ${typeof res.body})`);
    const page = res.body.slice(at.skip);
    const room = limit - items.length;
    const next = nextPageOf(res.headers.get('link'));
    if (page.length > room) {
      items.push(...page.slice(0, room));
      return done(items, true, `${at.page}:${at.perPage}:${at.skip + room}`);
    }
    items.push(...page);
    if (next === undefined) return done(items, false, null);
    at = { page: next, perPage: at.perPage, skip: 0 };
    if (items.length >= limit) return done(items, true, `${at.page}:${at.perPage}:0`);
  }
}

function done(items: Json[], hasMore: boolean, nextCursor: string | null): ListPage {
  return { items, count: items.length, hasMore, nextCursor };
}
