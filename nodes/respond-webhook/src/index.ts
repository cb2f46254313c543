import { defineNode, z } from '@apiq/sdk';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const headersSchema = z
  .record(
    z.string(),
    z
      .string({ error: 'header values must be strings' })
      .refine((v) => !/[\r\n\0]/.test(v), 'header values must not contain line breaks or NUL'),
    { error: 'headers must be an object of header name to value, e.g. { "content-type": "text/plain" }' },
  )
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `header name ${JSON.stringify(name)} is invalid: header names may use only letters, digits and !#$%&'*+.^_\`|~- (no spaces or colons)`,
        });
      }
    }
  })
  .default({});

/** Sends the HTTP response to the caller of a webhook trigger set to wait for a Respond node. */
export const respondWebhook = defineNode({
  id: 'core.respond_webhook',
  title: 'Respond to webhook',
  description:
    'Sends the HTTP response (status code, headers and body) to the caller that started the run through a webhook, then the run carries on. Without a body it responds with the incoming data.',
  keywords: [
    'respond',
    'response',
    'reply',
    'return',
    'webhook',
    'http response',
    'status code',
    'headers',
    'body',
    'answer',
    'api endpoint',
  ],
  category: 'network',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M9 14 4 9l5-5"/><path d="M4 9h10a6 6 0 0 1 6 6v5"/></svg>',
  params: z.strictObject({
    status: z
      .number({ error: 'status must be an HTTP status code such as 200' })
      .int('status must be a whole number such as 200')
      .min(100, 'status must be between 100 and 599')
      .max(599, 'status must be between 100 and 599')
      .default(200),
    headers: headersSchema,
    body: z.json({ error: 'body must be JSON data (objects, arrays, strings, numbers, booleans or null)' }).optional(),
  }),
  idempotent: true,
  sideEffects: false,
  run: (ctx) => {
    const { status, headers, body } = ctx.params;
    return { output: ctx.input, respond: { status, headers, body: body === undefined ? ctx.input : body } };
  },
});
