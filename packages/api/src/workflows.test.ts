import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { testServers } from '@apiq/db/testing';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;

const graph = (name: string, extra: object[] = []) => ({
  name,
  nodes: [
    { id: 'start', type: 'core.manual_trigger' },
    { id: 'set', type: 'core.set', params: { fields: { a: 1 } } },
    ...extra,
  ],
  edges: [{ source: 'start', target: 'set' }],
});

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<never>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a tRPC error, got ${String(err)}`);
  return err as TRPCClientError<never>;
}

describe('workflows procedures over HTTP', () => {
  let api: ApiTestServer;
  beforeAll(async () => {
    api = await startApiTestServer(server.url, { executor: false });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates an empty workflow as a draft that cannot be activated, then saves a valid version', async () => {
    const created = await api.trpc.workflows.create.mutate({ name: 'Orders' });
    expect(created).toMatchObject({ saved: 'draft', versionId: null });
    const id = created.workflowId;

    const loaded = await api.trpc.workflows.get.query({ id });
    expect(loaded).toMatchObject({
      name: 'Orders',
      draft: true,
      versionId: null,
      graph: { name: 'Orders', nodes: [] },
    });
    expect(loaded.issues[0]?.message).toMatch(/at least a trigger/);

    const refused = await rejection(api.trpc.workflows.setActive.mutate({ id, active: true }));
    expect(refused.data).toMatchObject({ code: 'BAD_REQUEST' });
    expect(refused.message).toMatch(/no valid saved version/);

    const saved = await api.trpc.workflows.save.mutate({ id, graph: graph('Orders'), baseVersionId: null });
    expect(saved).toMatchObject({ saved: 'version', version: 1, issues: [] });
    const again = await api.trpc.workflows.save.mutate({ id, graph: graph('Orders'), baseVersionId: saved.versionId });
    expect(again).toMatchObject({ saved: 'unchanged', versionId: saved.versionId });
    expect(await api.trpc.workflows.get.query({ id })).toMatchObject({
      draft: false,
      versionId: saved.versionId,
      version: 1,
    });
  });

  it('keeps an invalid edit as a draft with located issues, and the last valid version keeps running', async () => {
    const { workflowId: id, versionId } = await api.trpc.workflows.create.mutate({ name: 'Draft', graph: graph('x') });
    expect(versionId).not.toBeNull();
    const broken = graph('Draft', [{ id: 'lost', type: 'core.no_op' }]);
    const result = await api.trpc.workflows.save.mutate({ id, graph: broken });
    expect(result).toMatchObject({ saved: 'draft', versionId });
    expect(result.issues).toContainEqual(
      expect.objectContaining({ code: 'unreachable_node', nodeId: 'lost', path: 'nodes[2]' }),
    );

    const loaded = await api.trpc.workflows.get.query({ id });
    expect(loaded.draft).toBe(true);
    expect((loaded.graph.nodes as unknown[]).length).toBe(3);
    expect((await api.trpc.workflows.list.query({ search: 'Draft' }))[0]).toMatchObject({
      hasDraft: true,
      nodeCount: 3,
    });

    const active = await api.trpc.workflows.setActive.mutate({ id, active: true });
    expect(active).toMatchObject({ active: true, activeVersionId: versionId, hasDraft: true });
  });

  it('refuses a save based on a stale version with a conflict', async () => {
    const { workflowId: id, versionId: v1 } = await api.trpc.workflows.create.mutate({ name: 'C', graph: graph('C') });
    await api.trpc.workflows.save.mutate({ id, graph: { ...graph('C'), description: 'second' }, baseVersionId: v1 });
    const err = await rejection(
      api.trpc.workflows.save.mutate({ id, graph: { ...graph('C'), description: 'third' }, baseVersionId: v1 }),
    );
    expect(err.data).toMatchObject({ code: 'CONFLICT', httpStatus: 409 });
    expect(err.message).toMatch(/saved elsewhere/);
  });

  it('validates graphs, returning issues with node and param paths', async () => {
    const bad = {
      name: 'v',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'set', type: 'core.set', params: { fields: 3 } },
      ],
      edges: [{ source: 'start', target: 'set' }],
    };
    const result = await api.trpc.workflows.validate.query({ graph: bad });
    expect(result.ok).toBe(false);
    expect(result.issues[0]).toMatchObject({ code: 'invalid_param', nodeId: 'set', path: 'nodes[1].params.fields' });
    expect(await api.trpc.workflows.validate.query({ graph: graph('ok') })).toEqual({ ok: true, issues: [] });
  });

  it('lists versions, restores an old one, renames, duplicates and deletes', async () => {
    const { workflowId: id, versionId: v1 } = await api.trpc.workflows.create.mutate({ name: 'R', graph: graph('R') });
    await api.trpc.workflows.save.mutate({ id, graph: { ...graph('R'), description: 'v2' } });
    const restored = await api.trpc.workflows.restore.mutate({ id, versionId: v1! });
    expect(restored).toMatchObject({ saved: 'version', version: 3 });
    const versions = await api.trpc.workflows.versions.query({ id });
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions[0]).toMatchObject({ current: true });
    const v3 = await api.trpc.workflows.version.query({ versionId: restored.versionId! });
    expect(v3.graph).not.toHaveProperty('description');

    await api.trpc.workflows.rename.mutate({ id, name: 'Renamed' });
    expect(await api.trpc.workflows.get.query({ id })).toMatchObject({
      name: 'Renamed',
      graph: { name: 'Renamed' },
      version: 4,
    });

    const copy = await api.trpc.workflows.duplicate.mutate({ id });
    expect(await api.trpc.workflows.get.query({ id: copy.workflowId })).toMatchObject({
      name: 'Renamed (copy)',
      active: false,
    });

    await api.trpc.workflows.delete.mutate({ id });
    const gone = await rejection(api.trpc.workflows.get.query({ id }));
    expect(gone.data).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports in the CLI bundle format and imports it back all-or-nothing', async () => {
    const { workflowId: id } = await api.trpc.workflows.create.mutate({ name: 'E', graph: graph('E') });
    const bundle = await api.trpc.workflows.export.query({ id });
    expect(bundle).toMatchObject({ apiq: 1, workflows: [{ id, version: 1, active: false, graph: { name: 'E' } }] });

    const imported = await api.trpc.workflows.import.mutate({ json: JSON.stringify(bundle) });
    expect(imported.workflows).toEqual([expect.objectContaining({ id, version: 2, created: false })]);

    const before = (await api.trpc.workflows.list.query()).length;
    const mixed = { ...bundle, workflows: [{ graph: graph('new one') }, { graph: { name: 'broken', nodes: [] } }] };
    const err = await rejection(api.trpc.workflows.import.mutate({ json: mixed }));
    expect(err.data).toMatchObject({ code: 'BAD_REQUEST' });
    expect((err.data as unknown as { issues: { path: string }[] }).issues[0]?.path).toMatch(
      /^workflows\[1\]\.graph\.nodes/,
    );
    expect((await api.trpc.workflows.list.query()).length).toBe(before);

    const notJson = await rejection(api.trpc.workflows.import.mutate({ json: '{nope' }));
    expect(notJson.message).toMatch(/not valid JSON/);
  });

  it('describes triggers: webhook URL, next schedule times, manual', async () => {
    const hook = await api.trpc.workflows.create.mutate({
      name: 'H',
      graph: {
        name: 'H',
        nodes: [{ id: 'hook', type: 'core.webhook_trigger', params: { path: 'orders/new', method: 'PUT' } }],
      },
    });
    expect(await api.trpc.workflows.triggerInfo.query({ id: hook.workflowId })).toEqual({
      kind: 'webhook',
      nodeId: 'hook',
      method: 'PUT',
      path: 'orders/new',
      url: `${api.baseUrl}/webhook/orders/new`,
      active: false,
    });
    const cron = await api.trpc.workflows.create.mutate({
      name: 'S',
      graph: {
        name: 'S',
        nodes: [{ id: 'tick', type: 'core.schedule_trigger', params: { cron: '0 9 * * *', timezone: 'UTC' } }],
      },
    });
    const info = await api.trpc.workflows.triggerInfo.query({ id: cron.workflowId });
    expect(info).toMatchObject({ kind: 'schedule', cron: '0 9 * * *' });
    const next = (info as { next: string[] }).next;
    expect(next).toHaveLength(5);
    for (const at of next) expect(at).toMatch(/T09:00:00\.000Z$/);
    expect(Date.parse(next[1]!) - Date.parse(next[0]!)).toBe(86_400_000);
    expect(Date.parse(next[0]!)).toBeGreaterThan(Date.now());

    const manual = await api.trpc.workflows.create.mutate({ name: 'M', graph: graph('M') });
    expect(await api.trpc.workflows.triggerInfo.query({ id: manual.workflowId })).toEqual({
      kind: 'manual',
      nodeId: 'start',
    });
  });

  it('reports input problems with located issues', async () => {
    const err = await rejection(api.trpc.workflows.get.query({ id: 'not-an-id' }));
    expect(err.data).toMatchObject({ code: 'BAD_REQUEST', issues: [expect.objectContaining({ path: 'input.id' })] });
  });
});

describe('catalog, settings, expressions and templates procedures', () => {
  let api: ApiTestServer;
  beforeAll(async () => {
    api = await startApiTestServer(server.url, { executor: false });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists node types with params JSON Schema and credential kinds', async () => {
    const nodes = await api.trpc.catalog.nodes.query();
    const webhook = nodes.find((n) => n.type === 'core.webhook_trigger');
    expect(webhook).toMatchObject({
      trigger: 'webhook',
      inputs: [],
      outputs: ['main'],
      webhook: { urlPrefix: '/webhook/' },
    });
    expect(webhook?.paramsSchema).toMatchObject({ type: 'object', required: ['path'] });
    const kinds = await api.trpc.catalog.credentialKinds.query();
    expect(kinds.find((k) => k.id === 'http_bearer')).toMatchObject({
      authType: 'headers',
      fieldsSchema: { type: 'object' },
    });
    expect(Array.isArray(await api.trpc.catalog.problems.query())).toBe(true);
  });

  it('reads and updates instance settings; retention feeds the retention job', async () => {
    expect(await api.trpc.settings.get.query()).toEqual({
      planner: { baseUrl: null, model: null, connectionId: null },
      retention: { maxAgeDays: 30, maxRunsPerWorkflow: 10_000 },
    });
    const updated = await api.trpc.settings.update.mutate({
      planner: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' },
      retention: { maxAgeDays: 7 },
    });
    expect(updated).toEqual({
      planner: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3', connectionId: null },
      retention: { maxAgeDays: 7, maxRunsPerWorkflow: 10_000 },
    });
    const { getRetentionSettings } = await import('@apiq/db');
    expect(await getRetentionSettings(api.engine.db)).toEqual({ maxAgeDays: 7, maxRunsPerWorkflow: 10_000 });
    const err = await rejection(api.trpc.settings.update.mutate({ retention: { maxAgeDays: 0 } }));
    expect(err.data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [expect.objectContaining({ path: 'input.retention.maxAgeDays' })],
    });
  });

  it('previews expressions like the engine, with located errors', async () => {
    expect(
      await api.trpc.expressions.preview.query({
        src: '$sum($input.items.price) * 2',
        context: { input: { items: [{ price: 2 }, { price: 3 }] } },
      }),
    ).toEqual({ ok: true, value: 10 });
    expect(
      await api.trpc.expressions.preview.query({
        src: '$steps.fetch.id & "-" & $item',
        context: { steps: { fetch: { id: 7 } }, item: 'a' },
      }),
    ).toEqual({ ok: true, value: '7-a' });
    const bad = await api.trpc.expressions.preview.query({ src: '1 +', context: {} });
    expect(bad).toMatchObject({ ok: false, error: { code: 'syntax' } });
    const slow = await api.trpc.expressions.preview.query({ src: '[1..100000000]', context: {} });
    expect(slow).toMatchObject({ ok: false, error: { code: 'too_large' } });
  });

  it('lists the gallery templates with their categories and apps', async () => {
    const gallery = await api.trpc.templates.list.query();
    expect(gallery.items.length).toBeGreaterThanOrEqual(20);
    expect(gallery.categories.length).toBeGreaterThan(0);
    expect(gallery.apps.length).toBeGreaterThan(0);
  });
});
