import { defineNode, z, type Json } from '@apiq/sdk';
import { githubIcon } from './icon.ts';
import { callGitHub } from './request.ts';

const jsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/** Any GitHub REST endpoint, with the GitHub credential's auth. */
export const githubApiCall = defineNode({
  id: 'github.api_call',
  title: 'Custom API call (GitHub)',
  description:
    'Calls any GitHub REST API endpoint (e.g. GET /repos/{owner}/{repo}/releases) with the GitHub credential; returns status, headers and the JSON body.',
  keywords: ['github', 'api', 'rest', 'custom', 'request', 'endpoint', 'http', 'raw', 'any'],
  category: 'app',
  icon: githubIcon,
  credentials: [{ kind: 'github', required: true }],
  params: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    path: z
      .string({ error: 'path is required, e.g. "/repos/octocat/hello-world/releases"' })
      .regex(/^\/[^\s#]*$/, 'path must start with "/" and have no spaces, e.g. "/repos/octocat/hello-world/releases"')
      .describe('Path below the API base URL, e.g. "/repos/octocat/hello-world/releases"'),
    query: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('Query parameters, e.g. { "per_page": 50 }'),
    body: jsonValue.optional().describe('JSON body (POST, PUT, PATCH)'),
    failOnStatus: z.boolean().default(true).describe('Fail the step on a 4xx or 5xx answer'),
  }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const { method, path, query, body, failOnStatus } = ctx.params;
    const res = await callGitHub(ctx, {
      method,
      path,
      ...(query ? { query } : {}),
      ...(body === undefined ? {} : { body }),
      failOnStatus,
    });
    return { output: { status: res.status, headers: Object.fromEntries(res.headers), body: res.body } };
  },
});
