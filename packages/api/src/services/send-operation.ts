import { randomUUID } from 'node:crypto';
import { credentialSecrets, redactSecrets, type Json, type NodeDefinition, type NodeFetch } from '@apiq/sdk';
import { createCredentialResolver, getConnection, ConnectionError } from '@apiq/vault';
import type { ApiContext } from '../trpc.ts';
import { ApiError, type ApiIssue } from '../errors.ts';
import { nodeParamsOf, requireSpec } from './apis.ts';

/** The node type whose code path a test request takes. */
export const OPERATION_NODE_TYPE = 'api.operation';
/** Response bodies above this size come back cut, with `truncated: true`. */
export const MAX_SHOWN_BODY_BYTES = 256 * 1024;
const SEND_TIMEOUT_MS = 30_000;
const MASK = '••••••';
const ALWAYS_MASKED_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export interface SendOperationInput {
  specId: string;
  operationId: string;
  connectionId?: string | undefined;
  serverUrl?: string | undefined;
  args: {
    path?: Record<string, unknown>;
    query?: Record<string, unknown>;
    headers?: Record<string, unknown>;
    body?: unknown;
  };
}

/** The request as sent, auth values masked. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export type SendOperationResult =
  | {
      ok: true;
      status: number;
      headers: Record<string, string>;
      /** Parsed JSON, text, or base64 for binary bodies; a cut string when `truncated`. */
      body: unknown;
      /** Size of the body as text, in bytes. */
      bodyBytes: number;
      truncated: boolean;
      timingMs: number;
      request: SentRequest | null;
    }
  | {
      ok: false;
      /** Why nothing came back: blocked address, timeout, connection refused, missing credential. */
      error: { kind: string; message: string };
      timingMs: number;
      request: SentRequest | null;
    };

/**
 * Sends one test request for an operation of an imported spec, exactly as an `api.operation`
 * step would: the node definition from the catalog builds and sends the request through the
 * server's safe client, with the chosen connection's credentials applied. Arguments are checked
 * against the operation's schemas first (BAD_REQUEST with `input.args.*` issues). Secrets never
 * come back: auth headers and query values are masked in the request shown, and the
 * connection's secret values are redacted from the response.
 *
 * @example
 * await sendOperation(ctx, { specId, operationId: 'getPetById', connectionId, args: { path: { petId: 10 } } });
 * // → { ok: true, status: 200, headers: {...}, body: { id: 10, ... }, timingMs: 12, request: { method: 'GET', url: '…/pet/10', headers: { api_key: '••••••' } } }
 */
export async function sendOperation(ctx: ApiContext, input: SendOperationInput): Promise<SendOperationResult> {
  const spec = await requireSpec(ctx, input.specId);
  const def = operationNode(ctx);
  const base = nodeParamsOf(spec, input.operationId, input.serverUrl, false)!;
  const args = {
    path: input.args.path ?? {},
    query: input.args.query ?? {},
    headers: input.args.headers ?? {},
    ...(input.args.body === undefined ? {} : { body: input.args.body }),
  };
  const expressions = expressionPaths(args, 'input.args');
  if (expressions.length > 0)
    throw new ApiError(
      'bad_request',
      'Expressions are evaluated when a workflow runs; a test request needs plain values. Replace them with sample values to send.',
      expressions.map((path) => ({ path, message: 'is an expression; enter a plain value to send a test request' })),
    );
  const parsed = def.params.safeParse({ ...base, args, failOnStatus: false, timeoutMs: SEND_TIMEOUT_MS });
  if (!parsed.success) {
    const issues: ApiIssue[] = parsed.error.issues.map((i) => ({
      path: inputPath(i.path),
      message: i.message,
      code: i.code,
    }));
    throw new ApiError(
      'bad_request',
      `The arguments do not fit ${input.operationId}: ${issues
        .slice(0, 3)
        .map((i) => `${i.path.replace(/^input\./, '')}: ${i.message}`)
        .join('; ')}`,
      issues,
    );
  }

  const credentials = input.connectionId ? await loadCredentials(ctx, def, input.connectionId) : undefined;
  const secrets = credentials
    ? credentialSecrets(ctx.catalog.credentialKind(credentials.kind), credentials.values)
    : [];
  const maskedHeaders = new Set([
    ...ALWAYS_MASKED_HEADERS,
    ...base.operation.auth.options.flatMap((o) => (o.headerName ? [o.headerName.toLowerCase()] : [])),
    ...(credentials?.values.headerName ? [credentials.values.headerName.toLowerCase()] : []),
  ]);
  const maskedQuery = new Set([
    ...base.operation.auth.options.flatMap((o) => (o.paramName ? [o.paramName] : [])),
    ...(credentials?.values.paramName ? [credentials.values.paramName] : []),
  ]);

  const safeFetch = ctx.fetch;
  if (!safeFetch)
    throw new ApiError(
      'unavailable',
      'Test requests are unavailable: this server runs without its safe outbound HTTP client. Start it with `apiq web` or `apiq start`.',
    );
  let request: SentRequest | null = null;
  const fetch: NodeFetch = (url, init) => {
    request = shownRequest(String(url), init, maskedHeaders, maskedQuery, secrets);
    return safeFetch(url, init);
  };

  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await def.run({
      params: parsed.data,
      input: null,
      inputs: {},
      trigger: null,
      credentials: credentials ? { [credentials.kind]: credentials.values } : {},
      fetch,
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS + 5_000),
      idempotencyKey: `explorer:${randomUUID()}`,
      state: { get: () => undefined, set: () => undefined },
      run: { runId: 'explorer', workflowId: '', stepId: input.operationId, attempt: 1, iteration: '' },
    });
    const timingMs = elapsed();
    const output = ('output' in result ? result.output : null) as {
      status?: number;
      headers?: Record<string, string>;
      body?: Json;
    } | null;
    const shown = cutBody(redactSecrets(output?.body ?? null, secrets));
    return {
      ok: true,
      status: output?.status ?? 0,
      headers: redactSecrets(output?.headers ?? {}, secrets),
      ...shown,
      timingMs,
      request,
    };
  } catch (err) {
    const timingMs = elapsed();
    const kind =
      typeof err === 'object' && err !== null && 'kind' in err ? String((err as { kind: unknown }).kind) : 'error';
    const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
    return { ok: false, error: { kind, message }, timingMs, request };
  }
}

function operationNode(ctx: ApiContext): NodeDefinition {
  const version = ctx.catalog.versions(OPERATION_NODE_TYPE).at(-1);
  const def = version === undefined ? undefined : ctx.catalog.get(OPERATION_NODE_TYPE, version);
  if (!def)
    throw new ApiError(
      'unavailable',
      'Test requests need the API Operation node (@apiq/node-api-operation), which is not installed on this server.',
    );
  return def;
}

async function loadCredentials(
  ctx: ApiContext,
  def: NodeDefinition,
  connectionId: string,
): Promise<{ kind: string; values: Record<string, string> }> {
  const vault = ctx.vault;
  if (!vault)
    throw new ApiError(
      'unavailable',
      'Connections are unavailable: this server runs without the credential vault. Send the request without a connection, or start the server with its master key.',
    );
  const deps = { db: ctx.db, vault, catalog: ctx.catalog, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) };
  let kind: string;
  try {
    kind = (await getConnection(deps, ctx.workspaceId, connectionId)).kind;
  } catch (err) {
    if (err instanceof ConnectionError)
      throw new ApiError('not_found', `${err.message}; pick another connection`, [
        { path: 'input.connectionId', message: 'no such connection' },
      ]);
    throw err;
  }
  const accepted = def.credentials.map((c) => c.kind);
  if (!accepted.includes(kind))
    throw new ApiError(
      'bad_request',
      `The connection is a ${kind} connection; API operations authenticate with ${accepted.join(', ')}. Pick a connection of one of those kinds.`,
      [{ path: 'input.connectionId', message: `a ${kind} connection cannot authenticate an API operation` }],
    );
  try {
    const resolved = await createCredentialResolver(deps)(ctx.workspaceId, { [kind]: connectionId });
    return { kind, values: resolved[kind]! };
  } catch (err) {
    throw new ApiError('bad_request', `The connection cannot be used: ${(err as Error).message}`, [
      { path: 'input.connectionId', message: (err as Error).message },
    ]);
  }
}

/** The request for display: auth headers and query values masked, any secret value redacted. */
function shownRequest(
  url: string,
  init: RequestInit | undefined,
  maskedHeaders: Set<string>,
  maskedQuery: Set<string>,
  secrets: string[],
): SentRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of new Headers(init?.headers)) headers[name] = maskedHeaders.has(name) ? MASK : value;
  let shownUrl = url;
  if (maskedQuery.size > 0) {
    try {
      const parsed = new URL(url);
      let changed = false;
      for (const name of maskedQuery)
        if (parsed.searchParams.has(name)) {
          parsed.searchParams.set(name, MASK);
          changed = true;
        }
      if (changed) shownUrl = parsed.toString();
    } catch {
      // not a URL: shown redacted below
    }
  }
  return redactSecrets({ method: init?.method ?? 'GET', url: shownUrl, headers }, secrets);
}

function cutBody(body: Json): { body: unknown; bodyBytes: number; truncated: boolean } {
  if (body === null) return { body: null, bodyBytes: 0, truncated: false };
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const bodyBytes = Buffer.byteLength(text, 'utf8');
  if (bodyBytes <= MAX_SHOWN_BODY_BYTES) return { body, bodyBytes, truncated: false };
  return {
    body: Buffer.from(text, 'utf8').subarray(0, MAX_SHOWN_BODY_BYTES).toString('utf8'),
    bodyBytes,
    truncated: true,
  };
}

function expressionPaths(value: unknown, at: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if ((value as { kind?: unknown }).kind === 'expr' && typeof (value as { src?: unknown }).src === 'string')
    return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionPaths(v, `${at}[${i}]`));
  return Object.entries(value).flatMap(([k, v]) => expressionPaths(v, `${at}.${k}`));
}

/** A node-params issue path as an input path: `args.path.petId` stays, `operation.serverUrl` is the input's `serverUrl`. */
function inputPath(path: PropertyKey[]): string {
  if (path[0] === 'operation' && path[1] === 'serverUrl') return 'input.serverUrl';
  return ['input', ...path.map(String)].join('.');
}
