import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { openDatabase, type OpenDatabase } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { createStaticCatalog, dedupeItems, defineNode, z, type NodeCatalog } from '@apiq/sdk';
import { realCatalog, startTestEngine, type TestEngine } from '../testing/harness.ts';
import { activateWorkflow, deactivateWorkflow, saveWorkflow } from '../store/workflows.ts';
import { Poller, type PollOutcome } from './poller.ts';

interface Entry {
  id: string;
  title: string;
}

/** What the local feed answers; each test sets it before polling. */
interface FeedBehaviour {
  entries: Entry[];
  status: number;
  /** When set, a request is held until this resolves (after `onRequest` is called). */
  hold?: Promise<void>;
  onRequest?: () => void;
}

const feedPoll = defineNode({
  id: 'test.feed_poll',
  title: 'Feed poll',
  description: 'Starts a run for every new entry of a JSON feed',
  category: 'trigger',
  trigger: 'polling',
  params: z.object({ url: z.string(), intervalSeconds: z.number().int().min(5).default(60) }),
  sideEffects: false,
  run: ({ trigger }) => ({ output: trigger }),
  async poll({ params, fetch, state }) {
    const res = await fetch(params.url);
    if (!res.ok) throw new Error(`feed ${params.url} answered ${res.status}`);
    const entries = (await res.json()) as Entry[];
    const { fresh, state: next } = dedupeItems(state.get(), entries, (e) => e.id);
    return { items: fresh.map((e) => ({ id: e.id, title: e.title })), cursor: next as never };
  },
});

const entry = (id: string): Entry => ({ id, title: `entry ${id}` });

describe.each(testServers())('polling triggers on $name', ({ url }) => {
  let engine: TestEngine;
  let catalog: NodeCatalog;
  let feed: Server;
  let feedUrl = '';
  let behaviour: FeedBehaviour = { entries: [], status: 200 };
  const pollers: Poller[] = [];
  const newPoller = (o: Partial<ConstructorParameters<typeof Poller>[0]> = {}) => {
    const p = new Poller({ db: engine.db, pool: engine.opened.pool, catalog, ...o });
    pollers.push(p);
    return p;
  };

  beforeAll(async () => {
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    engine = await startTestEngine(url, { executor: false });
    catalog = createStaticCatalog([...(await realCatalog()).list(), { def: feedPoll }]);
    feed = createServer((_req, res) => {
      const b = behaviour;
      b.onRequest?.();
      void (b.hold ?? Promise.resolve()).then(() => {
        res
          .writeHead(b.status, { 'content-type': 'application/json' })
          .end(JSON.stringify(b.status === 200 ? b.entries : { error: 'unavailable' }));
      });
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    const addr = feed.address();
    feedUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/feed`;
  });

  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    await engine?.close();
    feed?.close();
  });

  async function activatePolling(name: string, intervalSeconds = 60): Promise<string> {
    const saved = await saveWorkflow(engine.db, catalog, {
      name,
      nodes: [
        { id: 'feed', type: 'test.feed_poll', params: { url: feedUrl, intervalSeconds } },
        { id: 'noop', type: 'core.no_op' },
      ],
      edges: [{ source: 'feed', target: 'noop' }],
    });
    await activateWorkflow(engine.db, saved.workflowId);
    return saved.workflowId;
  }

  async function runsOf(workflowId: string) {
    return engine.db
      .selectFrom('runs')
      .select(['id', 'trigger_kind', 'trigger_payload', 'status', 'created_at'])
      .where('workflow_id', '=', workflowId)
      .orderBy('created_at')
      .execute();
  }

  async function stateOf(workflowId: string): Promise<unknown> {
    const row = await engine.db
      .selectFrom('node_state')
      .select('state')
      .where('workflow_id', '=', workflowId)
      .where('node_id', '=', 'feed')
      .executeTakeFirst();
    return row?.state;
  }

  async function payloadIdsOf(runIds: string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = await engine.db
      .selectFrom('runs')
      .select(['id', 'trigger_payload'])
      .where('id', 'in', runIds)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, (r.trigger_payload as Entry).id]));
    return runIds.map((id) => byId.get(id) ?? 'missing');
  }

  const polledIds = (o: PollOutcome): string[] => {
    if (o.status !== 'polled') throw new Error(`expected a completed poll, got ${JSON.stringify(o)}`);
    return o.runIds;
  };

  it('starts one run per new item across overlapping pages and keeps the dedupe state', async () => {
    const workflowId = await activatePolling('feed overlap');
    const poller = newPoller();

    behaviour = { entries: [entry('a'), entry('b'), entry('c')], status: 200 };
    const first = await poller.pollOnce(workflowId);
    expect(await payloadIdsOf(polledIds(first))).toEqual(['a', 'b', 'c']);
    expect(await stateOf(workflowId)).toEqual({ seen: ['a', 'b', 'c'] });

    behaviour = { entries: [entry('b'), entry('c'), entry('d'), entry('e')], status: 200 };
    const second = await poller.pollOnce(workflowId);
    expect(await payloadIdsOf(polledIds(second))).toEqual(['d', 'e']);

    const third = await poller.pollOnce(workflowId);
    expect(polledIds(third)).toEqual([]);

    const runs = await runsOf(workflowId);
    expect(runs.map((r) => (r.trigger_payload as Entry).id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(runs.every((r) => r.trigger_kind === 'polling' && r.status === 'queued')).toBe(true);
    expect(runs.find((r) => (r.trigger_payload as Entry).id === 'd')?.trigger_payload).toEqual(entry('d'));
    // Runs of the first poll were created before those of the second.
    const firstIds = new Set(polledIds(first));
    const lastOfFirst = Math.max(...runs.filter((r) => firstIds.has(r.id)).map((r) => r.created_at.getTime()));
    const firstOfSecond = Math.min(...runs.filter((r) => !firstIds.has(r.id)).map((r) => r.created_at.getTime()));
    expect(lastOfFirst).toBeLessThanOrEqual(firstOfSecond);
    expect(await stateOf(workflowId)).toEqual({ seen: ['a', 'b', 'c', 'd', 'e'] });
  });

  it('lets one poller at a time poll a workflow, so concurrent pollers start each item once', async () => {
    const workflowId = await activatePolling('feed concurrent');
    const [a, b] = [newPoller(), newPoller()];

    // While A's poll waits on the feed (holding the workflow), B's round is skipped.
    let release!: () => void;
    let requested!: () => void;
    const arrived = new Promise<void>((r) => (requested = r));
    behaviour = {
      entries: [entry('1'), entry('2')],
      status: 200,
      hold: new Promise<void>((r) => (release = r)),
      onRequest: () => requested(),
    };
    const held = a.pollOnce(workflowId);
    await arrived;
    expect(await b.pollOnce(workflowId)).toEqual({ status: 'busy' });
    release();
    expect(await payloadIdsOf(polledIds(await held))).toEqual(['1', '2']);

    // Unsynchronised rounds: whichever order they land in, each item starts one run.
    for (const page of [
      ['2', '3', '4'],
      ['3', '4', '5', '6'],
      ['6', '7'],
    ]) {
      behaviour = { entries: page.map(entry), status: 200 };
      const outcomes = await Promise.all([a.pollOnce(workflowId), b.pollOnce(workflowId)]);
      expect(outcomes.every((o) => o.status === 'polled' || o.status === 'busy')).toBe(true);
    }
    const ids = (await runsOf(workflowId)).map((r) => (r.trigger_payload as Entry).id).sort();
    expect(ids).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(await stateOf(workflowId)).toEqual({ seen: ['1', '2', '3', '4', '5', '6', '7'] });
  });

  it('writes nothing when a poll fails, and the next poll picks up from the stored state', async () => {
    const workflowId = await activatePolling('feed failing');
    const poller = newPoller();

    behaviour = { entries: [entry('x')], status: 200 };
    expect(await payloadIdsOf(polledIds(await poller.pollOnce(workflowId)))).toEqual(['x']);

    behaviour = { entries: [entry('x'), entry('y')], status: 503 };
    const failed = await poller.pollOnce(workflowId);
    expect(failed.status).toBe('failed');
    expect(failed.status === 'failed' && failed.error.message).toContain('answered 503');
    expect((await runsOf(workflowId)).length).toBe(1);
    expect(await stateOf(workflowId)).toEqual({ seen: ['x'] });

    behaviour = { entries: [entry('x'), entry('y')], status: 200 };
    expect(await payloadIdsOf(polledIds(await poller.pollOnce(workflowId)))).toEqual(['y']);
    expect(await stateOf(workflowId)).toEqual({ seen: ['x', 'y'] });
  });

  it('reports inactive workflows and polls nothing for them', async () => {
    const workflowId = await activatePolling('feed deactivated');
    await deactivateWorkflow(engine.db, workflowId);
    behaviour = { entries: [entry('z')], status: 200 };
    expect(await newPoller().pollOnce(workflowId)).toEqual({ status: 'inactive' });
    expect(await runsOf(workflowId)).toEqual([]);
  });

  it('once started, polls active polling workflows on their own and drops deactivated ones', async () => {
    // The notification connection comes from a pool of its own, closed (connections fully
    // ended) before the test database is dropped.
    const listenDb = await openDatabase({ url: engine.url, poolSize: 1 });
    const poller = newPoller({ pool: listenDb.pool, syncMs: 60_000 });
    await poller.start();
    behaviour = { entries: [entry('s1'), entry('s2')], status: 200 };
    const workflowId = await activatePolling('feed started', 5);
    await waitUntil(async () => (await runsOf(workflowId)).length === 2, 'the started poller to enqueue both entries');
    expect(poller.watching()).toContain(workflowId);

    await deactivateWorkflow(engine.db, workflowId);
    await waitUntil(async () => !poller.watching().includes(workflowId), 'the poller to drop the deactivated workflow');
    await poller.stop();
    await closeFully(listenDb);
    expect((await runsOf(workflowId)).map((r) => (r.trigger_payload as Entry).id).sort()).toEqual(['s1', 's2']);
  });
});

/** Closes a database pool and waits until each connection has really ended (pool.end alone does not). */
async function closeFully(opened: OpenDatabase): Promise<void> {
  let open = opened.pool.totalCount;
  const ended = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    opened.pool.on('remove', () => {
      if (--open === 0) resolve();
    });
  });
  await opened.close();
  await ended;
}

/** Re-checks a condition until it holds (fails with `what` after `timeoutMs`). */
async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
