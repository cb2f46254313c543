import { dedupeItems, defineNode, FatalError, z, type Json, type NodeContext } from '@apiq/sdk';
import { githubIcon } from './icon.ts';
import { repoPath, repositoryParam } from './params.ts';
import { callGitHub, nextPageOf } from './request.ts';

const PER_PAGE = 50;
/** At most this many pages per poll; a longer backlog is picked up by the next polls. */
const MAX_PAGES = 5;

type Item = { [key: string]: Json };
type Kind = 'issues' | 'pull_requests';

interface PollState {
  /** `created_at` of the newest item seen. */
  since?: string;
  seen: string[];
}

function readState(value: Json | undefined): PollState | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Array.isArray(value.seen)) return undefined;
  return {
    ...(typeof value.since === 'string' ? { since: value.since } : {}),
    seen: value.seen.filter((s): s is string => typeof s === 'string'),
  };
}

/**
 * The newest items of one kind, newest first, down to `since` (all of the first page when
 * `since` is undefined). Issues exclude pull requests (the issues API lists both).
 */
async function newestItems(
  ctx: Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal'>,
  repository: string,
  kind: Kind,
  since: string | undefined,
): Promise<Item[]> {
  const path = `${repoPath(repository)}/${kind === 'issues' ? 'issues' : 'pulls'}`;
  const out: Item[] = [];
  for (let page = 1; page <= MAX_PAGES; ) {
    const res = await callGitHub(ctx, {
      method: 'GET',
      path,
      query: { state: 'all', sort: 'created', direction: 'desc', per_page: PER_PAGE, page },
    });
    if (!Array.isArray(res.body)) throw new FatalError(`GitHub GET ${path} did not answer with a list`);
    let older = false;
    for (const raw of res.body) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
      if (kind === 'issues' && raw.pull_request !== undefined) continue;
      if (since !== undefined && String(raw.created_at) < since) older = true;
      else out.push(raw);
    }
    const next = nextPageOf(res.headers.get('link'));
    if (since === undefined || older || next === undefined) break;
    page = next;
  }
  return out;
}

const keyOf = (kind: Kind, item: Item) => `${kind}:${String(item.id)}`;

function asDelivery(kind: Kind, repository: string, item: Item): Json {
  return kind === 'issues'
    ? { event: 'issues', action: 'opened', issue: item, repository: { full_name: repository } }
    : { event: 'pull_request', action: 'opened', pull_request: item, repository: { full_name: repository } };
}

/** New issues and pull requests by polling the GitHub API (no webhook needed). */
export const githubNewItemsPolling = defineNode({
  id: 'github.new_issue_or_pull_request_polling',
  title: 'New issue or pull request (GitHub, polling)',
  description:
    'Starts the workflow for every new issue and/or pull request in a GitHub repository, by checking the GitHub API on an interval (no webhook to set up). Items that existed when the workflow was activated are skipped.',
  keywords: ['github', 'issue', 'pull request', 'pr', 'new', 'created', 'poll', 'polling', 'trigger', 'watch', 'when'],
  category: 'trigger',
  icon: githubIcon,
  trigger: 'polling',
  credentials: [{ kind: 'github', required: true, description: 'A token that can read the repository' }],
  params: z.strictObject({
    repository: repositoryParam,
    watch: z
      .enum(['issues', 'pull_requests', 'both'])
      .default('issues')
      .describe('What starts a run: new issues, new pull requests, or both'),
    intervalSeconds: z
      .number({ error: 'intervalSeconds must be a number of seconds' })
      .int()
      .min(5, 'intervalSeconds must be at least 5')
      .default(60)
      .describe('How often to check GitHub, in seconds'),
  }),
  idempotent: true,
  sideEffects: false,
  async poll(ctx) {
    const { repository, watch } = ctx.params;
    const kinds: Kind[] = watch === 'both' ? ['issues', 'pull_requests'] : [watch];
    const prior = readState(ctx.state.get());
    const found: Array<{ kind: Kind; item: Item }> = [];
    for (const kind of kinds)
      for (const item of await newestItems(ctx, repository, kind, prior?.since)) found.push({ kind, item });
    found.sort((a, b) => String(a.item.created_at).localeCompare(String(b.item.created_at)));
    const newest = found.at(-1)?.item.created_at;
    const since = typeof newest === 'string' && (!prior?.since || newest > prior.since) ? newest : prior?.since;
    const { fresh, state } = dedupeItems(prior ? { seen: prior.seen } : undefined, found, ({ kind, item }) =>
      keyOf(kind, item),
    );
    const cursor = { since: since ?? new Date().toISOString(), seen: state.seen };
    // The first poll only records what exists, so activation does not replay a repository's history.
    if (!prior) return { items: [], cursor };
    return { items: fresh.map(({ kind, item }) => asDelivery(kind, repository, item)), cursor };
  },
  run: (ctx) => ({ output: ctx.trigger }),
});
