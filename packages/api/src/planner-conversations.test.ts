import { testServers } from '@apiq/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;

describe('the planner conversation kept with each workflow', () => {
  let api: ApiTestServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('starts empty, is replaced on save, is cleared by an empty list and goes with its workflow', async () => {
    api = await startApiTestServer(server.url, { executor: false });
    const { workflowId } = await api.trpc.workflows.create.mutate({ name: 'Issues to Slack' });
    expect(await api.trpc.planner.conversation.query({ workflowId })).toEqual({
      workflowId,
      turns: [],
      updatedAt: null,
    });

    const turns = [
      {
        role: 'user' as const,
        text: 'When a new GitHub issue is created, post to Slack',
        at: '2026-11-27T10:00:00.000Z',
      },
      {
        role: 'assistant' as const,
        text: '2 steps: Starts when an issue is opened on GitHub; Posts a message to a Slack channel.',
        at: '2026-11-27T10:00:01.000Z',
        planner: 'offline' as const,
        outcome: 'confirmed' as const,
      },
    ];
    const saved = await api.trpc.planner.saveConversation.mutate({ workflowId, turns });
    expect(saved.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const read = await api.trpc.planner.conversation.query({ workflowId });
    expect(read.turns).toEqual(turns);

    const more = [...turns, { role: 'user' as const, text: 'also email me', at: '2026-11-27T10:01:00.000Z' }];
    await api.trpc.planner.saveConversation.mutate({ workflowId, turns: more });
    expect((await api.trpc.planner.conversation.query({ workflowId })).turns).toHaveLength(3);

    await api.trpc.planner.saveConversation.mutate({ workflowId, turns: [] });
    expect((await api.trpc.planner.conversation.query({ workflowId })).turns).toEqual([]);

    await api.trpc.planner.saveConversation.mutate({ workflowId, turns });
    await api.trpc.workflows.delete.mutate({ id: workflowId });
    const rows = await api.engine.db.selectFrom('planner_conversations').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('refuses workflows of other workspaces and malformed turns, naming the field', async () => {
    api = await startApiTestServer(server.url, { executor: false });
    const db = api.engine.db;
    const other = await db
      .insertInto('workspaces')
      .values({ name: 'Other', slug: 'other' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const foreign = await db
      .insertInto('workflows')
      .values({ workspace_id: other.id, name: 'Theirs' })
      .returning('id')
      .executeTakeFirstOrThrow();

    const read = await api.trpc.planner.conversation.query({ workflowId: foreign.id }).catch((e: Error) => e);
    expect((read as Error).message).toBe(`No workflow ${foreign.id} in this workspace.`);
    const write = await api.trpc.planner.saveConversation
      .mutate({ workflowId: foreign.id, turns: [{ role: 'user', text: 'hi', at: '2026-11-27T10:00:00.000Z' }] })
      .catch((e: Error) => e);
    expect((write as Error).message).toBe(`No workflow ${foreign.id} in this workspace.`);
    expect(await db.selectFrom('planner_conversations').selectAll().execute()).toEqual([]);

    const { workflowId } = await api.trpc.workflows.create.mutate({ name: 'Mine' });
    const bad = await api.trpc.planner.saveConversation
      .mutate({ workflowId, turns: [{ role: 'robot' as 'user', text: 'hi', at: 'yesterday' }] })
      .catch((e: { data?: { issues?: Array<{ path: string }> } }) => e);
    const paths = ((bad as { data?: { issues?: Array<{ path: string }> } }).data?.issues ?? []).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['input.turns.0.role', 'input.turns.0.at']));
  });
});
