import { z } from '@apiq/sdk';
import { argIssues } from './check-args.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const PARAMETER_STYLES = [
  'form',
  'simple',
  'label',
  'matrix',
  'spaceDelimited',
  'pipeDelimited',
  'deepObject',
] as const;
export const MAX_TIMEOUT_MS = 300_000;

const jsonSchema = z.record(z.string(), z.unknown());

export const parameterSchema = z.object({
  name: z.string().min(1),
  in: z.enum(['path', 'query', 'header']),
  required: z.boolean().default(false),
  description: z.string().optional(),
  schema: jsonSchema.default({}),
  style: z.enum(PARAMETER_STYLES).optional(),
  explode: z.boolean().optional(),
  deprecated: z.boolean().optional(),
});

/** The operation as data, built from the spec when the node is inserted (`operationNodeParams` of @apiq/openapi). */
export const operationSchema = z.object({
  specId: z.string().optional().describe('The imported spec it came from'),
  operationId: z.string().min(1).describe('Operation id in the spec, e.g. getPetById'),
  method: z.enum(HTTP_METHODS),
  path: z.string().startsWith('/', 'must be a path template starting with "/", e.g. "/pets/{petId}"'),
  serverUrl: z.url({
    protocol: /^https?$/,
    error: 'must be an absolute http:// or https:// URL, e.g. https://api.example.com/v1',
  }),
  summary: z.string().optional(),
  parameters: z.array(parameterSchema).default([]),
  requestBody: z
    .object({ contentType: z.string().min(1), required: z.boolean().default(false), schema: jsonSchema.default({}) })
    .optional(),
  schemaDialect: z.enum(['openapi-3.0', 'draft-2020-12']).default('openapi-3.0'),
  auth: z
    .object({
      required: z.boolean().default(false),
      options: z
        .array(
          z.object({
            scheme: z.string(),
            kind: z.string(),
            headerName: z.string().optional(),
            paramName: z.string().optional(),
          }),
        )
        .default([]),
    })
    .default({ required: false, options: [] }),
});

const values = z.record(z.string(), z.json());

export const argsSchema = z
  .object({
    path: values.default({}).describe('Path parameters by name, e.g. {"petId": 10}'),
    query: values.default({}).describe('Query parameters by name'),
    headers: values.default({}).describe('Header parameters by name'),
    body: z.json().optional().describe('Request body'),
  })
  .default({ path: {}, query: {}, headers: {} });

export const apiOperationParams = z
  .strictObject({
    operation: operationSchema,
    args: argsSchema,
    timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional().describe('Whole-request timeout in ms'),
    failOnStatus: z.boolean().default(true).describe('Fail the step on a 4xx/5xx status (5xx and 429 are retried)'),
    sendIdempotencyKey: z
      .boolean()
      .default(false)
      .describe("Send the step's stable Idempotency-Key header (for APIs that support it)"),
  })
  .superRefine((params, ctx) => {
    for (const issue of argIssues(params.operation, params.args)) ctx.addIssue({ code: 'custom', ...issue });
  });

export type ApiOperationParams = z.infer<typeof apiOperationParams>;
export type OperationData = z.infer<typeof operationSchema>;
export type OperationArgs = z.infer<typeof argsSchema>;
export type OperationParameterData = z.infer<typeof parameterSchema>;
