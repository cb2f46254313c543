import { createSafeFetch } from '@apiq/http';
import { testServers } from '@apiq/db/testing';
import { startTestApi, type TestApi } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;

describe('planner procedures', () => {
  let api: ApiTestServer | undefined;
  let model: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    await model?.close();
    api = undefined;
    model = undefined;
  });

  it('proposes with the offline planner when no model is configured, and explains a graph', async () => {
    api = await startApiTestServer(server.url, { executor: false });
    expect(await api.trpc.planner.status.query()).toEqual({ mode: 'offline', model: null, source: null });
    const p = await api.trpc.planner.propose.mutate({
      message: 'When a new GitHub issue is created, send a Slack notification and create a Trello card',
    });
    expect(p.planner).toBe('offline');
    expect(p.issues).toEqual([]);
    expect(p.graph!.nodes.map((n) => n.type)).toEqual([
      'github.issue_opened',
      'slack.post_message',
      'trello.create_card',
    ]);
    const follow = await api.trpc.planner.propose.mutate({
      message: 'also email me at ann@example.com',
      current: p.graph!,
    });
    expect(follow.graph!.nodes.map((n) => n.type)).toContain('email.send');
    const lines = await api.trpc.planner.explain.query({ graph: follow.graph! });
    expect(lines).toHaveLength(4);
  });

  it('uses the model from the settings, with the API key from a stored connection', async () => {
    model = await startTestApi({
      'POST /v1/chat/completions': () => ({
        json: {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1_760_000_000,
          model: 'local-model',
          choices: [
            {
              index: 0,
              finish_reason: 'tool_calls',
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: {
                      name: 'ask_clarifying_question',
                      arguments: JSON.stringify({ question: 'Which Slack channel?' }),
                    },
                  },
                ],
              },
            },
          ],
        },
      }),
    });
    api = await startApiTestServer(server.url, {
      executor: false,
      fetch: createSafeFetch({ allow: ['127.0.0.1/32'] }),
    });
    const connection = await api.trpc.connections.create.mutate({
      name: 'Local model',
      kind: 'openai',
      values: { apiKey: 'sk-local-test-key', baseUrl: `${model.url}/v1` },
    });
    await api.trpc.settings.update.mutate({ planner: { model: 'local-model', connectionId: connection.id } });
    expect(await api.trpc.planner.status.query()).toEqual({ mode: 'model', model: 'local-model', source: 'settings' });
    const p = await api.trpc.planner.propose.mutate({ message: 'post new issues to Slack' });
    expect(p).toMatchObject({ planner: 'model', question: 'Which Slack channel?' });
    expect(model.requests[0]!.headers.authorization).toBe('Bearer sk-local-test-key');
    expect((model.requests[0]!.json as { model: string }).model).toBe('local-model');
  });

  it('refuses a current graph that is not a workflow, saying where', async () => {
    api = await startApiTestServer(server.url, { executor: false });
    const err = await api.trpc.planner.propose
      .mutate({ message: 'also email me', current: { nodes: 'no' } })
      .catch((e: Error) => e);
    expect((err as Error).message).toContain('current is not a workflow graph');
  });
});
