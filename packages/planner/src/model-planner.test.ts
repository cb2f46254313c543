import type { WorkflowGraph } from '@apiq/graph';
import { createSafeFetch } from '@apiq/http';
import type { NodeCatalog } from '@apiq/sdk';
import { startTestApi, type TestApi } from '@apiq/sdk/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogIndex } from './catalog-search.ts';
import { planWithModel } from './model/planner.ts';
import { installedCatalog } from './testing.ts';

let catalog: NodeCatalog;
let index: CatalogIndex;
beforeAll(async () => {
  catalog = await installedCatalog();
  index = CatalogIndex.fromCatalog(catalog);
});

interface ToolCall {
  name: string;
  args: unknown;
}

/**
 * An OpenAI-compatible `/v1/chat/completions` that answers each request with the next recorded
 * assistant turn (tool calls), in the real response shape.
 */
async function recordedModel(turns: ToolCall[][]): Promise<TestApi> {
  let turn = 0;
  return startTestApi({
    'POST /v1/chat/completions': () => {
      const calls = turns[Math.min(turn++, turns.length - 1)]!;
      return {
        json: {
          id: `chatcmpl-${turn}`,
          object: 'chat.completion',
          created: 1_760_000_000,
          model: 'planner-test',
          choices: [
            {
              index: 0,
              finish_reason: 'tool_calls',
              message: {
                role: 'assistant',
                content: null,
                tool_calls: calls.map((c, i) => ({
                  id: `call_${turn}_${i}`,
                  type: 'function',
                  function: { name: c.name, arguments: JSON.stringify(c.args) },
                })),
              },
            },
          ],
          usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
        },
      };
    },
  });
}

const goodGraph = {
  name: 'Issues to Slack',
  summary: 'Posts new GitHub issues to Slack.',
  nodes: [
    { id: 'issue', type: 'github.issue_opened', params: {}, explanation: 'Starts on a new issue.' },
    {
      id: 'notify',
      type: 'slack.post_message',
      params: { channel: '#dev', text: { kind: 'expr', src: '$trigger.issue.title' } },
      explanation: 'Posts the title to #dev.',
    },
  ],
  edges: [{ source: 'issue', target: 'notify' }],
};

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const run = (prompt: string, extra: Partial<Parameters<typeof planWithModel>[1]> = {}) =>
  planWithModel(prompt, {
    catalog,
    index,
    model: { baseURL: `${api!.url}/v1`, apiKey: 'sk-planner-test', model: 'planner-test' },
    fetch: createSafeFetch({ allow: ['127.0.0.1/32'] }),
    ...extra,
  });

describe('model planner (OpenAI-compatible tool calling)', () => {
  it('takes a valid proposal in one round trip, offering only a short list of node types', async () => {
    api = await recordedModel([[{ name: 'propose_workflow', args: goodGraph }]]);
    const p = await run('When a GitHub issue is opened, post it to #dev on Slack');
    expect(p).toMatchObject({ planner: 'model', issues: [], summary: 'Posts new GitHub issues to Slack.' });
    expect(p.graph!.nodes.map((n) => n.type)).toEqual(['github.issue_opened', 'slack.post_message']);
    expect(p.explanation).toEqual([
      { nodeId: 'issue', text: 'Starts on a new issue.' },
      { nodeId: 'notify', text: 'Posts the title to #dev.' },
    ]);
    expect(api.requests).toHaveLength(1);
    const body = api.requests[0]!.json as {
      tools: Array<{ function: { name: string; parameters: { properties?: { type?: { enum?: string[] } } } } }>;
      messages: Array<{ content: string }>;
    };
    const offered = body.tools.find((t) => t.function.name === 'add_node')!.function.parameters.properties!.type!.enum!;
    expect(offered).toContain('slack.post_message');
    expect(offered.length).toBeLessThan(catalog.list().length);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer sk-planner-test');
  });

  it('feeds validation errors back and accepts the repaired graph', async () => {
    const broken = { ...goodGraph, edges: [{ source: 'issue', sourcePort: 'nope', target: 'notify' }] };
    api = await recordedModel([
      [{ name: 'propose_workflow', args: broken }],
      [{ name: 'propose_workflow', args: goodGraph }],
    ]);
    const p = await run('When a GitHub issue is opened, post it to #dev on Slack');
    expect(p.issues).toEqual([]);
    expect(api.requests).toHaveLength(2);
    const second = api.requests[1]!.json as { messages: Array<{ role: string; content: string | null }> };
    const feedback = second.messages.at(-1)!;
    expect(feedback.role).toBe('user');
    expect(feedback.content).toContain('does not validate');
    expect(feedback.content).toContain('nope');
  });

  it('stops after two repairs and shows what still fails', async () => {
    const broken = {
      ...goodGraph,
      nodes: [...goodGraph.nodes, { id: 'ghost', type: 'core.no_such', params: {}, explanation: '' }],
    };
    api = await recordedModel([[{ name: 'propose_workflow', args: broken }]]);
    const p = await run('anything');
    expect(api.requests).toHaveLength(3);
    expect(p.graph).toBeDefined();
    expect(p.issues.map((i) => i.code)).toContain('unknown_node_type');
  });

  it('returns the model’s clarifying question', async () => {
    api = await recordedModel([[{ name: 'ask_clarifying_question', args: { question: 'Slack or email?' } }]]);
    const p = await run('notify the team when something happens');
    expect(p).toMatchObject({ question: 'Slack or email?', explanation: [] });
    expect(p.graph).toBeUndefined();
  });

  it('edits the current workflow with follow-up tools and never sends credential ids', async () => {
    api = await recordedModel([
      [
        {
          name: 'add_node',
          args: {
            id: 'mail',
            type: 'email.send',
            params: { to: 'me@example.com', subject: 'New issue', text: 'A new issue arrived.' },
            explanation: 'Emails me.',
          },
        },
        { name: 'connect', args: { source: 'notify', target: 'mail' } },
        { name: 'finish', args: { summary: 'Also emails you.' } },
      ],
    ]);
    const current: WorkflowGraph = {
      apiq: 1,
      name: 'Issues to Slack',
      nodes: [
        {
          id: 'issue',
          type: 'github.issue_opened',
          version: 1,
          params: {},
          credentials: { github: 'cred-github-4f1d' },
        },
        {
          id: 'notify',
          type: 'slack.post_message',
          version: 1,
          params: { channel: '#dev', text: 'New issue' },
          credentials: { slack: 'cred-slack-9a2e' },
        },
      ],
      edges: [{ id: 'e1', source: 'issue', sourcePort: 'main', target: 'notify', targetPort: 'main' }],
      settings: {},
    };
    const p = await run('also email me', { current });
    expect(p.issues).toEqual([]);
    expect(p.graph!.nodes.map((n) => n.id)).toEqual(['issue', 'notify', 'mail']);
    expect(p.graph!.nodes[1]!.credentials).toEqual({ slack: 'cred-slack-9a2e' });
    expect(p.summary).toBe('Also emails you.');
    const sent = JSON.stringify(api.requests[0]!.json);
    expect(sent).not.toContain('cred-slack-9a2e');
    expect(sent).not.toContain('cred-github-4f1d');
  });
});
