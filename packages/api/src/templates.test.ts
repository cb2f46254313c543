import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { testServers } from '@apiq/db/testing';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<never>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a tRPC error, got ${String(err)}`);
  return err as TRPCClientError<never>;
}

const issuesOf = (err: TRPCClientError<never>) =>
  (err.data as unknown as { issues?: Array<{ path: string; message: string }> }).issues;

describe('templates procedures over HTTP', () => {
  let api: ApiTestServer;
  beforeAll(async () => {
    api = await startApiTestServer(server.url, { executor: false });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists the gallery with its filters, searches and offers three featured templates', async () => {
    const all = await api.trpc.templates.list.query({});
    expect(all.items.length).toBeGreaterThanOrEqual(20);
    expect(all.apps).toEqual(expect.arrayContaining(['GitHub', 'Slack', 'Stripe']));
    expect(all.categories.find((c) => c.id === 'engineering')?.count).toBeGreaterThan(0);
    expect(all.items[0]!.previewSvg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const found = await api.trpc.templates.list.query({ search: 'trello issue', app: 'slack' });
    expect(found.items.map((t) => t.id)).toContain('github-issue-to-slack-and-trello');
    expect(found.items.length).toBeLessThan(all.items.length);
    expect(found.items.every((t) => t.apps.includes('Slack') && t.apps.includes('Trello'))).toBe(true);
    const finance = await api.trpc.templates.list.query({ category: 'finance' });
    expect(finance.items.every((t) => t.category === 'finance')).toBe(true);

    const featured = await api.trpc.templates.featured.query();
    expect(featured).toHaveLength(3);
    expect(featured.every((t) => t.featured)).toBe(true);
  });

  it('uses a template: the workflow is created with the chosen connection on the nodes that need it', async () => {
    const detail = await api.trpc.templates.get.query({ id: 'incident-alert-slack-opsgenie' });
    expect(detail.setupNotes).toContain('/webhook/alerts/incident');
    expect(detail.requiredCredentials.map((r) => r.kind)).toEqual(['slack', 'api_key_header']);

    const slack = await api.trpc.connections.create.mutate({
      name: 'Acme Slack',
      kind: 'slack',
      values: { botToken: 'xoxb-templates-test-token', signingSecret: 'slack-signing-secret-0123' },
    });
    const created = await api.trpc.templates.use.mutate({
      id: 'incident-alert-slack-opsgenie',
      name: 'Checkout alerts',
      credentials: { slack: slack.id },
    });
    expect(created).toMatchObject({
      saved: 'version',
      missing: [{ kind: 'api_key_header', nodeIds: ['page_on_call'] }],
    });
    const workflow = await api.trpc.workflows.get.query({ id: created.workflowId });
    expect(workflow.name).toBe('Checkout alerts');
    const nodes = workflow.graph.nodes as Array<{ id: string; credentials?: object; position?: object }>;
    expect(nodes.find((n) => n.id === 'notify')?.credentials).toEqual({ slack: slack.id });
    expect(nodes.find((n) => n.id === 'page_on_call')?.credentials).toBeUndefined();
    expect(nodes.every((n) => n.position)).toBe(true);

    const wrongKind = await rejection(
      api.trpc.templates.use.mutate({ id: 'incident-alert-slack-opsgenie', credentials: { api_key_header: slack.id } }),
    );
    expect(issuesOf(wrongKind)).toEqual([
      {
        path: 'input.credentials.api_key_header',
        message: 'connection "Acme Slack" is a slack connection, not api_key_header',
      },
    ]);
    const unknown = await rejection(api.trpc.templates.get.query({ id: 'no-such-template' }));
    expect(unknown.data).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('saves a workflow as a workspace template, exports it without connection ids, imports and deletes it', async () => {
    const slack = await api.trpc.connections.create.mutate({
      name: 'Team Slack',
      kind: 'slack',
      values: { botToken: 'xoxb-another-test-token' },
    });
    const { workflowId } = await api.trpc.workflows.create.mutate({
      name: 'Ping',
      graph: {
        name: 'Ping',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          {
            id: 'post',
            type: 'slack.post_message',
            params: { channel: '#general', text: 'ping' },
            credentials: { slack: slack.id },
          },
        ],
        edges: [{ source: 'start', target: 'post' }],
      },
    });
    const saved = await api.trpc.templates.saveFromWorkflow.mutate({
      workflowId,
      title: 'Ping the team',
      description: 'Posts "ping" to #general.',
      category: 'operations',
    });
    expect(saved).toMatchObject({ source: 'workspace', apps: ['Slack'], title: 'Ping the team' });
    expect(saved.requiredCredentials).toEqual([
      { kind: 'slack', kindTitle: 'Slack', nodeIds: ['post'], why: 'Slack: used by "post"' },
    ]);
    expect((await api.trpc.templates.list.query({ search: 'ping the team' })).items.map((t) => t.id)).toEqual([
      saved.id,
    ]);

    const exported = await api.trpc.templates.export.query({ id: saved.id });
    expect(exported.fileName).toBe('ping-the-team.apiq-template.json');
    expect(JSON.stringify(exported.file)).not.toContain(slack.id);

    const imported = await api.trpc.templates.import.mutate({
      json: JSON.stringify(exported.file),
      fileName: 'ping.json',
    });
    expect(imported.id).not.toBe(saved.id);
    expect(imported.title).toBe('Ping the team');

    const broken = structuredClone(exported.file) as unknown as {
      meta: { category: string };
      graph: { nodes: Array<{ type: string }> };
    };
    broken.meta.category = 'nope';
    broken.graph.nodes[1]!.type = 'slack.post_massage';
    const refused = await rejection(api.trpc.templates.import.mutate({ json: broken, fileName: 'ping.json' }));
    expect(refused.message).toBe('ping.json does not hold a valid template:');
    const paths = issuesOf(refused)!.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['ping.json: meta.category', 'ping.json: graph.nodes[1].type']));
    const notJson = await rejection(api.trpc.templates.import.mutate({ json: '{ nope', fileName: 'x.json' }));
    expect(notJson.message).toMatch(/^x\.json is not valid JSON/);

    expect(await api.trpc.templates.delete.mutate({ id: imported.id })).toEqual({ id: imported.id, deleted: true });
    expect((await rejection(api.trpc.templates.delete.mutate({ id: imported.id }))).data).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await rejection(api.trpc.templates.delete.mutate({ id: 'weather-lookup-api' }))).message).toMatch(
      /built in/,
    );
  });
});
