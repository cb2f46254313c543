import { startTestApi, type TestApi, type TestApiReply, type TestApiRequest } from '@apiq/sdk/testing';

export const TEST_API_KEY = 'sk-test-0123456789abcdefghij';

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  temperature?: number;
  max_tokens?: number;
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
}

/** What the fake model says: the answer text and how it finished. */
export interface FakeAnswer {
  content: string | null;
  finishReason?: 'stop' | 'length' | 'content_filter';
  refusal?: string;
}

export interface FakeOpenAI {
  api: TestApi;
  credential: { apiKey: string; baseUrl: string };
  /** The next request gets this reply instead (a 429, a 500…). */
  failNext(reply: TestApiReply): void;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible server under `/v1`: `POST /v1/chat/completions` answers with the real
 * `chat.completion` shape (the text from `answer`), `GET /v1/models` lists models, a wrong key
 * gets OpenAI's 401 error body.
 */
export async function startFakeOpenAI(answer: (body: ChatRequestBody) => FakeAnswer): Promise<FakeOpenAI> {
  const failures: TestApiReply[] = [];
  const authed =
    (handler: (req: TestApiRequest) => TestApiReply) =>
    (req: TestApiRequest): TestApiReply => {
      if (req.headers.authorization !== `Bearer ${TEST_API_KEY}`) {
        const shown = String(req.headers.authorization ?? '').replace(/^Bearer (.{3}).*(.{4})$/, '$1*****$2');
        return {
          status: 401,
          json: {
            error: {
              message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              type: 'invalid_request_error',
              param: null,
              code: 'invalid_api_key',
            },
          },
        };
      }
      return failures.shift() ?? handler(req);
    };
  const api = await startTestApi({
    'POST /v1/chat/completions': authed((req) => {
      const body = req.json as unknown as ChatRequestBody;
      const a = answer(body);
      const promptTokens = body.messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0);
      const completionTokens = (a.content ?? '').split(/\s+/).filter(Boolean).length;
      return {
        json: {
          id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
          object: 'chat.completion',
          created: 1741569952,
          model: `${body.model}-2024-07-18`,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: a.content, refusal: a.refusal ?? null, annotations: [] },
              logprobs: null,
              finish_reason: a.finishReason ?? 'stop',
            },
          ],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
          },
          service_tier: 'default',
          system_fingerprint: 'fp_06737a9306',
        },
      };
    }),
    'GET /v1/models': authed(() => ({
      json: {
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
          { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
        ],
      },
    })),
  });
  return {
    api,
    credential: { apiKey: TEST_API_KEY, baseUrl: `${api.url}/v1` },
    failNext: (reply) => void failures.push(reply),
    close: () => api.close(),
  };
}
