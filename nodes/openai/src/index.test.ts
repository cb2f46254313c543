import { paramsJsonSchema, type NodeDefinition, type NodeResult } from '@apiq/sdk';
import { rejectionOf, runNode } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { chatCompletion, openaiApiCall, openaiCredential, structuredOutput } from './index.ts';
import {
  startFakeOpenAI,
  TEST_API_KEY,
  type ChatRequestBody,
  type FakeAnswer,
  type FakeOpenAI,
} from './openai-test-api.ts';

const servers: FakeOpenAI[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(answer: (body: ChatRequestBody) => FakeAnswer = () => ({ content: 'Hello!' })) {
  const s = await startFakeOpenAI(answer);
  servers.push(s);
  return s;
}
const output = (result: NodeResult) => {
  if (!('output' in result)) throw new Error('expected an output');
  return result.output as Record<string, unknown>;
};
type AnyDef = NodeDefinition;
const run = async (s: FakeOpenAI, def: AnyDef, params: unknown, credential: Record<string, string> = s.credential) =>
  output((await runNode(def, { params, credentials: { openai: credential }, api: s.api })).result);
const failure = (work: Promise<unknown>) =>
  rejectionOf<{ kind: string; message: string; retryAfterMs?: number; details?: unknown }>(work);

const contact = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    email: { type: 'string' },
    priority: { type: 'string', enum: ['low', 'high'] },
  },
  required: ['name', 'email', 'priority'],
  additionalProperties: false,
};

describe('openai connector definitions', () => {
  it('declares three ai nodes on the openai credential kind', () => {
    for (const def of [chatCompletion, structuredOutput, openaiApiCall]) {
      expect(def.category).toBe('ai');
      expect(def.credentials).toEqual([expect.objectContaining({ kind: 'openai', required: true })]);
      expect(def.keywords).toEqual(expect.arrayContaining(['openai', 'llm']));
    }
    expect(openaiCredential).toMatchObject({ id: 'openai', baseUrl: 'https://api.openai.com/v1', secret: ['apiKey'] });
    expect(paramsJsonSchema(chatCompletion)).toMatchObject({
      properties: { model: { default: 'gpt-4o-mini' }, temperature: { minimum: 0, maximum: 2 } },
    });
  });

  it('asks for a prompt or messages, and a usable schema', () => {
    const issues = (def: AnyDef, raw: unknown) => def.params.safeParse(raw).error?.issues ?? [];
    expect(issues(chatCompletion, {})[0]?.message).toMatch(/either prompt .* or messages/);
    expect(issues(chatCompletion, { prompt: 'a', messages: [{ role: 'user', content: 'b' }] })[0]?.path).toEqual([
      'prompt',
    ]);
    expect(issues(chatCompletion, { prompt: 'a', temperature: 3 })[0]?.path).toEqual(['temperature']);
    const bad = issues(structuredOutput, { prompt: 'a', schema: { type: 'objekt' } });
    expect(bad[0]).toMatchObject({ path: ['schema'] });
    expect(bad[0]?.message).toMatch(/not a usable JSON Schema: Unsupported type: objekt/);
  });
});

describe('openai.chat_completion', () => {
  it('sends the model, system and prompt with the key, and returns text, finish reason and usage', async () => {
    const s = await server((body) => ({ content: `You said: ${body.messages.at(-1)!.content}` }));
    const out = await run(s, chatCompletion, {
      model: 'gpt-4o-mini',
      system: 'Be brief.',
      prompt: 'Summarise the ticket',
      temperature: 0.2,
      maxTokens: 50,
    });
    const req = s.api.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(req.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(req.json).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Summarise the ticket' },
      ],
      temperature: 0.2,
      max_tokens: 50,
    });
    expect(out).toEqual({
      text: 'You said: Summarise the ticket',
      finishReason: 'stop',
      refusal: null,
      usage: { promptTokens: 5, completionTokens: 5, totalTokens: 10 },
      model: 'gpt-4o-mini-2024-07-18',
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    });
  });

  it('passes a whole conversation as messages', async () => {
    const s = await server();
    const messages = [
      { role: 'system', content: 'You translate to French.' },
      { role: 'user', content: 'Good morning' },
      { role: 'assistant', content: 'Bonjour' },
      { role: 'user', content: 'Thank you' },
    ];
    await run(s, chatCompletion, { messages });
    expect((s.api.requests[0]!.json as { messages: unknown }).messages).toEqual(messages);
  });

  it('maps 429 with Retry-After to rate limited, 500 to retryable and a wrong key to fatal', async () => {
    const s = await server();
    s.failNext({
      status: 429,
      headers: { 'retry-after': '7' },
      json: { error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } },
    });
    const limited = await failure(run(s, chatCompletion, { prompt: 'hi' }));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });
    expect(limited.message).toBe(
      'chat completion with gpt-4o-mini: the API answered 429: Rate limit reached for gpt-4o-mini',
    );
    s.failNext({ status: 500, json: { error: { message: 'The server had an error', type: 'server_error' } } });
    const broken = await failure(run(s, chatCompletion, { prompt: 'hi' }));
    expect(broken.kind).toBe('retryable');
    expect(broken.message).toMatch(/answered 500: The server had an error/);
    expect(s.api.requests).toHaveLength(2); // no hidden retries inside the SDK

    const wrong = await failure(
      run(s, chatCompletion, { prompt: 'hi' }, { ...s.credential, apiKey: 'sk-wrong-key-12345' }),
    );
    expect(wrong.kind).toBe('fatal');
    expect(wrong.message).toMatch(/answered 401: Incorrect API key provided: sk-\[redacted\]/);
    expect(wrong.message).toMatch(/check the API key of the OpenAI credential/);
    expect(wrong.message).not.toMatch(/wrong-key/);
  });

  it('is fatal without a credential and refuses private base URLs', async () => {
    const s = await server();
    const none = await failure(runNode(chatCompletion, { params: { prompt: 'hi' }, api: s.api }));
    expect(none.message).toMatch(/needs an OpenAI credential/);
    const blocked = await failure(
      run(s, chatCompletion, { prompt: 'hi' }, { ...s.credential, baseUrl: 'http://169.254.169.254/v1' }),
    );
    expect(blocked.kind).toBe('fatal');
    expect(blocked.message).toMatch(/blocked: 169\.254\.169\.254 is in link-local range/);
    const notUrl = await failure(
      run(s, chatCompletion, { prompt: 'hi' }, { ...s.credential, baseUrl: 'localhost:11434' }),
    );
    expect(notUrl).toMatchObject({ kind: 'fatal' });
    expect(notUrl.message).toMatch(/baseUrl "localhost:11434" is not an http\(s\) URL/);
    expect(s.api.requests).toHaveLength(0);
  });
});

describe('openai.structured_output', () => {
  const params = {
    prompt: 'Ada Lovelace <ada@example.com> says the server is down!',
    schema: contact,
    schemaName: 'contact',
  };

  it('sends response_format json_schema and returns the parsed, checked answer', async () => {
    const s = await server(() => ({ content: '{"name":"Ada Lovelace","email":"ada@example.com","priority":"high"}' }));
    const out = await run(s, structuredOutput, params);
    expect((s.api.requests[0]!.json as unknown as ChatRequestBody).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'contact', schema: contact, strict: true },
    });
    expect(out.data).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', priority: 'high' });
    expect(out.finishReason).toBe('stop');
  });

  it('fails clearly when the answer does not follow the schema, naming each problem', async () => {
    const s = await server(() => ({ content: '{"name":"Ada","priority":"urgent","mood":"cross"}' }));
    const err = await failure(run(s, structuredOutput, params));
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/^structured output with gpt-4o-mini: the model's answer does not follow the schema: /);
    expect(err.message).toMatch(/\$\.email: Invalid input: expected string, received undefined/);
    expect(err.message).toMatch(/\$\.priority: Invalid option: expected one of "low"\|"high"/);
    expect(err.message).toMatch(/Unrecognized key: "mood"/);
    expect(err.details).toMatchObject({ answer: { name: 'Ada', priority: 'urgent' } });
  });

  it('fails when the answer is not JSON, is cut off or is a refusal', async () => {
    const notJson = await server(() => ({ content: 'Sure! The name is Ada.' }));
    expect((await failure(run(notJson, structuredOutput, params))).message).toMatch(
      /the model's answer is not JSON: "Sure! The name is Ada\."/,
    );
    const cut = await server(() => ({ content: '{"name":"Ada Lo', finishReason: 'length' }));
    const cutErr = await failure(run(cut, structuredOutput, { ...params, maxTokens: 5 }));
    expect(cutErr.kind).toBe('fatal');
    expect(cutErr.message).toMatch(/cut off at the token limit .* raise maxTokens/);
    const refused = await server(() => ({ content: null, refusal: "I can't help with that." }));
    expect(await failure(run(refused, structuredOutput, params))).toMatchObject({
      kind: 'fatal',
      message: "structured output with gpt-4o-mini: the model refused: I can't help with that.",
    });
  });

  it('accepts JSON wrapped in a Markdown fence (some compatible servers add one)', async () => {
    const s = await server(() => ({
      content: '```json\n{"name":"Bo","email":"bo@example.com","priority":"low"}\n```',
    }));
    expect((await run(s, structuredOutput, params)).data).toEqual({
      name: 'Bo',
      email: 'bo@example.com',
      priority: 'low',
    });
  });
});

describe('openai.api_call', () => {
  it('calls any endpoint under the base URL with the key and returns status and JSON', async () => {
    const s = await server();
    const out = await run(s, openaiApiCall, { method: 'GET', path: '/models', query: { limit: 2 } });
    expect(s.api.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', query: { limit: '2' } });
    expect(s.api.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(out.status).toBe(200);
    expect((out.body as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual([
      'gpt-4o-mini',
      'text-embedding-3-small',
    ]);
  });

  it('refuses paths that would leave the base URL, and maps errors like the other nodes', async () => {
    expect(openaiApiCall.params.safeParse({ path: 'https://evil.example/steal' }).success).toBe(false);
    expect(openaiApiCall.params.safeParse({ path: '//evil.example/steal' }).success).toBe(false);
    const s = await server();
    const err = await failure(run(s, openaiApiCall, { method: 'POST', path: '/embeddings', body: { input: 'x' } }));
    expect(err.kind).toBe('fatal');
    expect(err.message).toMatch(/^POST \/embeddings: the API answered 404/);
  });
});
