import { z } from 'zod';
import { procedure, router } from '../trpc.ts';
import { Id, IdInput } from '../schemas.ts';
import { apis } from '../services/apis.ts';
import { sendOperation } from '../services/send-operation.ts';

const HttpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http:// or https:// URL, e.g. https://api.example.com/openapi.json',
});

export const ApiImportInput = z
  .object({
    url: HttpUrl.optional().describe('Where to download the spec (through the safe HTTP client)'),
    text: z.string().min(1, 'the pasted spec is empty').optional().describe('The spec itself, JSON or YAML'),
    name: z.string().trim().min(1).max(200).optional().describe("Display name; default the spec's title"),
  })
  .superRefine((value, ctx) => {
    if ((value.url === undefined) === (value.text === undefined))
      ctx.addIssue({
        code: 'custom',
        path: value.url === undefined ? ['url'] : ['text'],
        message: 'give either a URL or the spec text (from a file or pasted), not both',
      });
  });
export const OperationsInput = z.object({
  specId: Id,
  search: z.string().max(200).optional().describe('Words to look for in ids, summaries, tags and paths'),
  tag: z.string().max(200).optional().describe('Only operations with this tag'),
});
const OperationId = z.string().min(1).max(300);
export const OperationInput = z.object({ specId: Id, operationId: OperationId });
const ServerUrl = HttpUrl.optional().describe("Server to call; default the spec's first");
export const NodeParamsInput = z.object({ specId: Id, operationId: OperationId, serverUrl: ServerUrl });
const Values = z.record(z.string(), z.unknown());
export const SendInput = z.object({
  specId: Id,
  operationId: OperationId,
  connectionId: Id.optional().describe('Connection whose credentials authenticate the request'),
  serverUrl: ServerUrl,
  args: z
    .object({
      path: Values.optional(),
      query: Values.optional(),
      headers: Values.optional(),
      body: z.unknown().optional(),
    })
    .default({}),
});

/**
 * Imported OpenAPI specs and their operations (the API explorer): import, refresh, delete,
 * browse, ready connections, node params for `api.operation`, and test requests.
 */
export const apisRouter = router({
  /** Imported specs: `{ id, name, slug, title, sourceUrl, fetchedAt, operations, skipped, readyId, ... }`. */
  list: procedure.query(({ ctx }) => apis.list(ctx)),
  /** One spec with servers, security schemes (and their credential kinds), skipped operations and tags. */
  get: procedure.input(IdInput).query(({ ctx, input }) => apis.get(ctx, input.id)),
  /**
   * `{ url } | { text }` (+ `name`) → `{ spec, operations, skipped[], warnings[], notModified }`. A document
   * that is not a spec is a BAD_REQUEST whose issue names the place (`line 3, column 1`, `servers[0].url`).
   */
  import: procedure.input(ApiImportInput).mutation(({ ctx, input }) => apis.import(ctx, input)),
  /** Re-fetches a URL import (If-None-Match); ready connections re-install from their shipped spec. */
  refresh: procedure.input(IdInput).mutation(({ ctx, input }) => apis.refresh(ctx, input.id)),
  delete: procedure.input(IdInput).mutation(({ ctx, input }) => apis.delete(ctx, input.id)),
  /** `{ total, matched, groups: [{ tag, operations: [{ operationId, method, path, summary, deprecated }] }] }`. */
  operations: procedure.input(OperationsInput).query(({ ctx, input }) => apis.operations(ctx, input)),
  /** The operation with `argsSchema` (path, query, headers as object JSON Schemas), `body`, `servers` and `auth`. */
  operation: procedure
    .input(OperationInput)
    .query(({ ctx, input }) => apis.operation(ctx, input.specId, input.operationId)),
  /** The APIs that ship with APIQ (JSONPlaceholder, HTTPBin, Petstore) and whether each is installed. */
  ready: procedure.query(({ ctx }) => apis.ready(ctx)),
  installReady: procedure
    .input(z.object({ id: z.string().min(1).max(100) }))
    .mutation(({ ctx, input }) => apis.installReady(ctx, input.id)),
  /** Params of an `api.operation` node for the operation (`{ operation, args: {} }`). */
  nodeParams: procedure.input(NodeParamsInput).query(({ ctx, input }) => apis.nodeParams(ctx, input)),
  /**
   * Sends a test request the way an `api.operation` step does → `{ ok: true, status, headers, body,
   * bodyBytes, truncated, timingMs, request }` or `{ ok: false, error, timingMs, request }` (auth masked).
   */
  send: procedure.input(SendInput).mutation(({ ctx, input }) => sendOperation(ctx, input)),
});
