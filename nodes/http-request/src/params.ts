import { z } from '@apiq/sdk';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const MAX_TIMEOUT_MS = 300_000;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const httpRequestParams = z
  .strictObject({
    method: z.enum(HTTP_METHODS).default('GET').describe('HTTP method'),
    url: z
      .url({
        protocol: /^https?$/,
        error: 'url must be an absolute http:// or https:// URL, e.g. https://api.example.com/items',
      })
      .describe(
        'Absolute http(s) URL. Private, loopback and metadata addresses are refused unless APIQ_HTTP_ALLOW opens them.',
      ),
    query: z.record(z.string(), scalar).optional().describe('Query parameters appended to the URL, e.g. {"page": 2}'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Request headers, e.g. {"Accept": "application/json"}'),
    body: z.json().optional().describe('Request body (not for GET or HEAD)'),
    bodyType: z
      .enum(['json', 'form', 'text'])
      .default('json')
      .describe(
        'json: sent as JSON; form: an object sent as application/x-www-form-urlencoded; text: sent as plain text',
      ),
    responseType: z
      .enum(['auto', 'json', 'text'])
      .default('auto')
      .describe(
        'auto: JSON when the response says so, text for text, base64 for binary; json: must parse; text: as a string',
      ),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(MAX_TIMEOUT_MS)
      .optional()
      .describe('Whole-request timeout in ms (default 30000)'),
    failOnStatus: z
      .boolean()
      .default(true)
      .describe('Fail the step on a 4xx/5xx status (5xx, 408 and 429 are retried)'),
    followRedirects: z.boolean().default(true).describe('Follow redirects (every hop is checked like the first)'),
    sendIdempotencyKey: z
      .boolean()
      .default(false)
      .describe(
        "Send the step's stable Idempotency-Key header, so a retried POST is applied once by APIs that support it",
      ),
  })
  .superRefine((params, ctx) => {
    const hasBody = params.body !== undefined && params.body !== null;
    if (hasBody && (params.method === 'GET' || params.method === 'HEAD')) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `a ${params.method} request cannot have a body; use POST, PUT or PATCH, or move the data to query`,
      });
    }
    if (hasBody && params.bodyType === 'form' && !isFormBody(params.body)) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message:
          'bodyType "form" needs an object whose values are strings, numbers, booleans or arrays of them, e.g. {"name": "Ada", "tags": ["a", "b"]}',
      });
    }
  });

export type HttpRequestParams = z.infer<typeof httpRequestParams>;

export type FormBody = Record<string, string | number | boolean | Array<string | number | boolean>>;

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function isFormBody(value: unknown): value is FormBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)));
}
