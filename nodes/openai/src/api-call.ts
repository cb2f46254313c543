import { defineNode, z, type Json } from '@apiq/sdk';
import { openaiClient, providerFailure } from './client.ts';
import { OPENAI_ICON } from './icon.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Any endpoint of the OpenAI(-compatible) API, with the credential's key and base URL. */
export const openaiApiCall = defineNode({
  id: 'openai.api_call',
  version: 1,
  title: 'Custom API call (OpenAI-compatible)',
  description:
    'Calls any endpoint of the OpenAI API or an OpenAI-compatible server (models, embeddings, moderations, files…) with your OpenAI credential: give the method, the path under the base URL, query and JSON body; returns the status and the JSON answer.',
  keywords: [
    'openai',
    'api',
    'custom',
    'request',
    'embeddings',
    'moderation',
    'models',
    'rest',
    'endpoint',
    'llm',
    'raw',
  ],
  category: 'ai',
  icon: OPENAI_ICON,
  credentials: [{ kind: 'openai', required: true, description: 'API key and base URL' }],
  params: z
    .strictObject({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST').describe('HTTP method'),
      path: z
        .string()
        .regex(
          /^\/(?!\/)[^\s?#]*$/,
          'path must start with "/" and be relative to the API base URL, without a query string, e.g. "/embeddings"',
        )
        .refine((p) => !p.split('/').includes('..'), 'path must not contain ".." segments')
        .describe('Path under the base URL, e.g. /embeddings or /models'),
      query: z.record(z.string(), scalar).optional().describe('Query parameters'),
      body: z.json().optional().describe('JSON body (not for GET)'),
    })
    .superRefine((p, issue) => {
      if (p.method === 'GET' && p.body !== undefined && p.body !== null)
        issue.addIssue({ code: 'custom', path: ['body'], message: 'a GET request cannot have a body; use query' });
    }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const { client, apiKey } = openaiClient(ctx);
    const target = `${p.method} ${p.path}`;
    try {
      const { data, response } = await client
        .request<Json>({
          method: p.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
          path: p.path,
          ...(p.query ? { query: p.query } : {}),
          ...(p.body === undefined ? {} : { body: p.body }),
          signal: ctx.signal,
        })
        .withResponse();
      return { output: { status: response.status, body: stripRequestId(data) } };
    } catch (err) {
      throw providerFailure(err, target, ctx.signal, apiKey);
    }
  },
});

/** The SDK adds a non-enumerable `_request_id`; keep the answer plain JSON. */
function stripRequestId(data: Json): Json {
  return data === undefined ? null : (JSON.parse(JSON.stringify(data)) as Json);
}
