import { defineNode, z } from '@apiq/sdk';
import { TRELLO_ICON } from './icon.ts';
import { callTrello } from './trello-client.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Any Trello REST endpoint, with the credential applied. */
export const trelloApiCall = defineNode({
  id: 'trello.api_call',
  version: 1,
  title: 'Custom API call (Trello)',
  description:
    'Calls any Trello REST API endpoint (boards, lists, labels, checklists, members…) with your Trello credential: give the method, the path under https://api.trello.com/1, query and JSON body; returns the status and the JSON answer.',
  keywords: ['trello', 'api', 'custom', 'request', 'rest', 'endpoint', 'raw', 'http', 'advanced'],
  category: 'app',
  icon: TRELLO_ICON,
  credentials: [{ kind: 'trello', required: true, description: 'Trello API key and token' }],
  params: z
    .strictObject({
      method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).default('GET').describe('HTTP method'),
      path: z
        .string()
        .regex(
          /^\/(?!\/)[^\s?#]*$/,
          'path must start with "/" and be relative to the Trello API base URL, without a query string, e.g. "/boards/5f1c2d3e4a5b6c7d8e9f0a1b/labels"',
        )
        .refine((p) => !p.split('/').includes('..'), 'path must not contain ".." segments')
        .describe('Path under the API base URL, e.g. /boards/{id}/labels'),
      query: z.record(z.string(), scalar).optional().describe('Query parameters, e.g. {"fields": "name,url"}'),
      body: z.json().optional().describe('JSON body (not for GET)'),
    })
    .superRefine((p, issue) => {
      if (p.method === 'GET' && p.body !== undefined && p.body !== null)
        issue.addIssue({ code: 'custom', path: ['body'], message: 'a GET request cannot have a body; use query' });
      for (const name of Object.keys(p.query ?? {}))
        if (name === 'key' || name === 'token')
          issue.addIssue({
            code: 'custom',
            path: ['query', name],
            message: `"${name}" comes from the Trello credential; remove it from query`,
          });
    }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const res = await callTrello(ctx, {
      method: p.method,
      path: p.path,
      ...(p.query ? { query: p.query } : {}),
      ...(p.body === undefined ? {} : { body: p.body }),
    });
    return { output: { status: res.status, body: res.body } };
  },
});
