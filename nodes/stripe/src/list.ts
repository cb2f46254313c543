import { FatalError, type Json, type NodeContext } from '@apiq/sdk';
import { callStripe } from './request.ts';

export interface ListPage {
  items: Json[];
  count: number;
  hasMore: boolean;
  /** The last item's id: pass it as `cursor` (Stripe's `starting_after`) to continue. */
  nextCursor: string | null;
}

/**
 * Lists up to `limit` objects of a Stripe list endpoint, following `has_more` / `starting_after`.
 * Each page asks for no more than is still wanted, so the cursor resumes right after the last item.
 *
 * @example
 * const page = await listStripe(ctx, '/v1/charges', { customer: 'cus_123' }, 250);
 */
export async function listStripe(
  ctx: Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal' | 'idempotencyKey'>,
  path: string,
  filters: Record<string, Json | undefined>,
  limit: number,
  cursor?: string,
): Promise<ListPage> {
  const items: Json[] = [];
  let after = cursor;
  let hasMore = true;
  while (hasMore && items.length < limit) {
    const res = await callStripe(ctx, {
      method: 'GET',
      path,
      params: { ...filters, limit: Math.min(100, limit - items.length), starting_after: after },
    });
    const body = res.body as { data?: Json; has_more?: Json } | null;
    if (!body || !Array.isArray(body.data))
      throw new FatalError(`Stripe GET ${path} did not answer with a list object`);
    items.push(...body.data);
    hasMore = body.has_more === true;
    const last = body.data.at(-1) as { id?: Json } | undefined;
    if (typeof last?.id !== 'string') break;
    after = last.id;
  }
  return { items, count: items.length, hasMore, nextCursor: hasMore && after ? after : null };
}

/** Stripe's `created[gte]`/`created[lte]` filter from ISO dates. */
export function createdFilter(after?: string, before?: string): Json | undefined {
  if (!after && !before) return undefined;
  const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  return { ...(after ? { gte: unix(after) } : {}), ...(before ? { lte: unix(before) } : {}) };
}
