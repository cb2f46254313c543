import { defineNode, z } from '@apiq/sdk';

export { verifyWebhookSignature, signWebhookBody } from '@apiq/sdk';
export type { SignatureCheck, SignatureFailure, VerifySignatureOptions } from '@apiq/sdk';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_HELP = 'use letters, digits and - only, e.g. "x-signature"';
const MAX_BODY_LIMIT = 100 * 1024 * 1024;

const headerName = (label: string, fallback: string) =>
  z
    .string({ error: `${label} must be a header name, ${HEADER_HELP}` })
    .min(1, `${label} must not be empty`)
    .max(100, `${label} is too long (max 100 characters)`)
    .regex(HEADER_NAME, `${label} is not a valid header name: ${HEADER_HELP}`)
    .toLowerCase()
    .default(fallback);

const pathSchema = z
  .string({ error: 'path is required: the webhook URL path, e.g. "orders/created"' })
  .min(1, 'path must not be empty, e.g. "orders/created"')
  .max(200, 'path is too long (max 200 characters)')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9/_.-]*$/,
    'path must start with a letter or digit and use only letters, digits and / _ . - (no leading slash, no spaces), e.g. "orders/created"',
  )
  .refine(
    (path) => path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
    'path must not contain empty, "." or ".." segments (no "//", trailing "/" or "/../"), e.g. "orders/created"',
  );

/** Starts a run when an HTTP request arrives at the workflow's webhook URL. */
export const webhookTrigger = defineNode({
  id: 'core.webhook_trigger',
  title: 'Webhook trigger',
  description:
    "Starts the workflow when an HTTP request arrives at its webhook URL (an HTTP endpoint / callback URL for other services). Answers at once with 202, with the last step's output, or from a Respond to webhook step. Optional HMAC signature check with replay protection.",
  keywords: [
    'webhook',
    'trigger',
    'http',
    'endpoint',
    'callback',
    'incoming request',
    'api',
    'post',
    'receive',
    'inbound',
    'hook',
    'url',
    'hmac',
    'signature',
    'event',
  ],
  category: 'trigger',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="6" r="3"/><circle cx="6" cy="18" r="3"/><circle cx="18" cy="18" r="3"/><path d="m10.5 8.6-3 6.8"/><path d="m13.5 8.6 3 6.8"/><path d="M9 18h6"/></svg>',
  trigger: 'webhook',
  outputs: ['main'],
  params: z.strictObject({
    path: pathSchema.describe('The webhook URL path (no leading slash), e.g. "orders/created"'),
    method: z
      .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY'], {
        error: 'method must be one of GET, POST, PUT, PATCH, DELETE or ANY',
      })
      .default('POST'),
    respond: z
      .enum(['immediately', 'respond_node', 'last_node'], {
        error:
          'respond must be "immediately" (202 with the run id), "respond_node" (a Respond to webhook step answers) or "last_node" (the last step\'s output)',
      })
      .default('immediately')
      .describe(
        "immediately: 202 with the run id; respond_node: wait for a Respond to webhook step; last_node: respond with the last step's output",
      ),
    signature: z
      .strictObject(
        {
          secret: z
            .string({ error: 'signature.secret is required: a shared secret of at least 16 characters' })
            .min(16, 'signature.secret must be at least 16 characters long; use a random value'),
          header: headerName('signature.header', 'x-apiq-signature'),
          toleranceSeconds: z
            .number({ error: 'signature.toleranceSeconds must be a number of seconds' })
            .int('signature.toleranceSeconds must be whole seconds')
            .min(1, 'signature.toleranceSeconds must be at least 1')
            .max(86_400, 'signature.toleranceSeconds must be at most 86400 (one day)')
            .default(300),
        },
        { error: 'signature must be an object such as { "secret": "…" }' },
      )
      .optional()
      .describe('Require an HMAC-SHA256 signature header "t=<unix seconds>,v1=<hex>" over "<t>.<raw body>"'),
    idempotencyHeader: headerName('idempotencyHeader', 'idempotency-key').describe(
      'Requests repeating a value of this header start no second run',
    ),
    maxBodyBytes: z
      .number({ error: 'maxBodyBytes must be a number of bytes' })
      .int('maxBodyBytes must be a whole number of bytes')
      .min(1, 'maxBodyBytes must be at least 1')
      .max(MAX_BODY_LIMIT, `maxBodyBytes must be at most ${MAX_BODY_LIMIT} (100 MiB)`)
      .default(1_048_576),
  }),
  idempotent: true,
  sideEffects: false,
  run: (ctx) => ({ output: ctx.trigger }),
});
