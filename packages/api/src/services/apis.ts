import {
  deleteSpec,
  getOperation,
  importSpec,
  installReadyConnection,
  listSpecs,
  loadSpec,
  operationNodeParams,
  readyConnections,
  refreshSpec,
  searchOperations,
  SpecError,
  type ApiOperation,
  type ApiServer,
  type ImportResult,
  type JsonSchema,
  type OperationNodeParams,
  type SecuritySchemeMapping,
  type SkippedOperation,
  type SpecFetch,
  type SpecSummary,
  type StoredSpec,
} from '@apiq/openapi';
import type { ApiContext } from '../trpc.ts';
import { ApiError } from '../errors.ts';

/** An imported spec as the API lists it (times as ISO strings). */
export interface ApiSpecSummary {
  id: string;
  name: string;
  slug: string;
  title: string;
  version: string;
  specVersion: string;
  sourceUrl: string | null;
  fetchedAt: string | null;
  updatedAt: string;
  operations: number;
  skipped: number;
  /** The id of the ready connection it was installed from (jsonplaceholder, httpbin, petstore), else null. */
  readyId: string | null;
}

/** One spec with what the explorer shows above its operations. */
export interface ApiSpecDetail extends ApiSpecSummary {
  servers: ApiServer[];
  securitySchemes: SecuritySchemeMapping[];
  skippedOperations: SkippedOperation[];
  warnings: string[];
  tags: { tag: string; count: number }[];
}

export interface ImportAnswer {
  spec: ApiSpecSummary;
  operations: number;
  skipped: SkippedOperation[];
  warnings: string[];
  /** The URL's ETag matched the stored copy: nothing changed. */
  notModified: boolean;
}

export interface OperationListItem {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  deprecated: boolean;
  tags: string[];
}

export interface OperationGroup {
  tag: string;
  operations: OperationListItem[];
}

/** An operation with the JSON Schemas the explorer builds its form from. */
export interface OperationDetail {
  specId: string;
  specName: string;
  operation: ApiOperation;
  servers: ApiServer[];
  /** Object schemas of the path, query and header arguments (`args.path`, `args.query`, `args.headers`). */
  argsSchema: { path: JsonSchema; query: JsonSchema; headers: JsonSchema };
  /** The request body's schema and content type; null when the operation takes none. */
  body: { contentType: string; required: boolean; schema: JsonSchema } | null;
  /** Credential kinds that authenticate this operation (from the spec's security schemes). */
  auth: OperationNodeParams['operation']['auth'];
}

export interface ReadyConnectionInfo {
  id: string;
  title: string;
  description: string;
  defaultServer: string;
  authKind: string | null;
  /** The spec id when this ready connection is installed in the workspace. */
  specId: string | null;
}

/** Operations without a tag are listed under this group. */
export const UNTAGGED = 'Other';

/**
 * Imported OpenAPI specs of the caller's workspace, through `@apiq/openapi`: import (URL or
 * pasted text), refresh, delete, browse and search operations, ready connections, and the
 * params of an `api.operation` node.
 */
export const apis = {
  async list(ctx: ApiContext): Promise<ApiSpecSummary[]> {
    return (await listSpecs(ctx.db, ctx.workspaceId)).map(toSummary);
  },

  async get(ctx: ApiContext, id: string): Promise<ApiSpecDetail> {
    const spec = await requireSpec(ctx, id);
    const summary = (await listSpecs(ctx.db, ctx.workspaceId)).find((s) => s.id === spec.id)!;
    const counts = new Map<string, number>();
    for (const op of spec.operations) for (const tag of tagsOf(op)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    return {
      ...toSummary(summary),
      servers: spec.servers,
      securitySchemes: spec.securitySchemes,
      skippedOperations: spec.skipped,
      warnings: spec.warnings,
      tags: [...counts].map(([tag, count]) => ({ tag, count })),
    };
  },

  async import(
    ctx: ApiContext,
    input: { url?: string | undefined; text?: string | undefined; name?: string | undefined },
  ) {
    const source = input.url !== undefined ? { url: input.url } : { text: input.text ?? '' };
    const result = await specCall(() =>
      importSpec(ctx.db, ctx.workspaceId, source, {
        ...(input.name ? { name: input.name } : {}),
        ...fetchOption(ctx),
      }),
    );
    return answer(ctx, result);
  },

  /** Re-fetches a URL import (ETag-aware); a ready connection is installed again from its shipped spec. */
  async refresh(ctx: ApiContext, id: string): Promise<ImportAnswer> {
    const spec = await requireSpec(ctx, id);
    const ready = readyConnections.find((r) => r.id === readyIdOf(spec));
    if (ready) return answer(ctx, await specCall(() => installReadyConnection(ctx.db, ctx.workspaceId, ready.id)));
    if (!spec.sourceUrl)
      throw new ApiError(
        'bad_request',
        `"${spec.name}" was imported from a file or pasted text, so there is nothing to re-fetch; import the new version of the spec instead.`,
      );
    return answer(ctx, await specCall(() => refreshSpec(ctx.db, ctx.workspaceId, spec.id, fetchOption(ctx))));
  },

  async delete(ctx: ApiContext, id: string): Promise<{ id: string; deleted: true }> {
    const spec = await requireSpec(ctx, id);
    await deleteSpec(ctx.db, ctx.workspaceId, spec.id);
    return { id: spec.id, deleted: true };
  },

  /**
   * A spec's operations grouped by tag (in the spec's order of tags). With `search`, the best
   * matches first (full-text over ids, summaries, tags and paths, plus any operation whose id,
   * path or summary contains the text).
   */
  async operations(
    ctx: ApiContext,
    input: { specId: string; search?: string | undefined; tag?: string | undefined },
  ): Promise<{ total: number; matched: number; groups: OperationGroup[] }> {
    const spec = await requireSpec(ctx, input.specId);
    let ops = spec.operations;
    const term = input.search?.trim();
    if (term) {
      const hits = await searchOperations(ctx.db, ctx.workspaceId, term, 200, { specId: spec.id });
      const byId = new Map(ops.map((o) => [o.operationId, o]));
      const ranked = hits.map((h) => byId.get(h.operationId)).filter((o): o is ApiOperation => o !== undefined);
      const lower = term.toLowerCase();
      const contains = ops.filter(
        (o) =>
          !ranked.includes(o) &&
          [o.operationId, o.path, o.summary, `${o.method} ${o.path}`].some((t) => t.toLowerCase().includes(lower)),
      );
      ops = [...ranked, ...contains];
    }
    if (input.tag) ops = ops.filter((o) => tagsOf(o).includes(input.tag!));
    const groups = new Map<string, OperationListItem[]>();
    for (const op of ops) {
      const tag = input.tag ?? tagsOf(op)[0]!;
      const list = groups.get(tag) ?? [];
      list.push({
        operationId: op.operationId,
        method: op.method,
        path: op.path,
        summary: op.summary,
        deprecated: op.deprecated,
        tags: op.tags,
      });
      groups.set(tag, list);
    }
    return {
      total: spec.operations.length,
      matched: ops.length,
      groups: [...groups].map(([tag, operations]) => ({ tag, operations })),
    };
  },

  async operation(ctx: ApiContext, specId: string, operationId: string): Promise<OperationDetail> {
    const spec = await requireSpec(ctx, specId);
    const op = await getOperation(ctx.db, ctx.workspaceId, spec.id, operationId);
    if (!op) throw noOperation(spec, operationId);
    const params = nodeParamsOf(spec, operationId, undefined, true);
    const place = (where: 'path' | 'query' | 'header'): JsonSchema => {
      const list = op.parameters.filter((p) => p.in === where);
      return {
        type: 'object',
        properties: Object.fromEntries(
          list.map((p) => [
            p.name,
            { ...p.schema, ...(p.description && !p.schema.description ? { description: p.description } : {}) },
          ]),
        ),
        required: list.filter((p) => p.required).map((p) => p.name),
      };
    };
    return {
      specId: spec.id,
      specName: spec.name,
      operation: op,
      servers: spec.servers,
      argsSchema: { path: place('path'), query: place('query'), headers: place('header') },
      body: op.requestBody
        ? { contentType: op.requestBody.contentType, required: op.requestBody.required, schema: op.requestBody.schema }
        : null,
      auth: params?.operation.auth ?? { required: false, options: [] },
    };
  },

  async nodeParams(
    ctx: ApiContext,
    input: { specId: string; operationId: string; serverUrl?: string | undefined },
  ): Promise<OperationNodeParams> {
    const spec = await requireSpec(ctx, input.specId);
    return nodeParamsOf(spec, input.operationId, input.serverUrl, false)!;
  },

  async ready(ctx: ApiContext): Promise<ReadyConnectionInfo[]> {
    const specs = await listSpecs(ctx.db, ctx.workspaceId);
    const installed = new Map(specs.flatMap((s) => (readyIdOf(s) ? [[readyIdOf(s)!, s.id] as const] : [])));
    return readyConnections.map((r) => ({
      id: r.id,
      title: r.title,
      description: r.description,
      defaultServer: r.defaultServer,
      authKind: r.authKind,
      specId: installed.get(r.id) ?? null,
    }));
  },

  async installReady(ctx: ApiContext, id: string): Promise<ImportAnswer> {
    if (!readyConnections.some((r) => r.id === id))
      throw new ApiError(
        'bad_request',
        `"${id}" is not a ready connection; choose one of ${readyConnections.map((r) => r.id).join(', ')}.`,
        [{ path: 'input.id', message: `must be one of ${readyConnections.map((r) => r.id).join(', ')}` }],
      );
    return answer(ctx, await specCall(() => installReadyConnection(ctx.db, ctx.workspaceId, id)));
  },
};

/** The stored spec, or NOT_FOUND naming the id. */
export async function requireSpec(ctx: ApiContext, id: string): Promise<StoredSpec> {
  const spec = await loadSpec(ctx.db, ctx.workspaceId, id);
  if (!spec)
    throw new ApiError(
      'not_found',
      `No imported API ${id} in this workspace; it may have been deleted. Open the APIs page to see the imported ones.`,
    );
  return spec;
}

/** `operationNodeParams` with its SpecErrors as located bad requests (`lenient`: undefined instead of a server error). */
export function nodeParamsOf(
  spec: StoredSpec,
  operationId: string,
  serverUrl: string | undefined,
  lenient: boolean,
): OperationNodeParams | undefined {
  if (!spec.operations.some((o) => o.operationId === operationId)) throw noOperation(spec, operationId);
  try {
    return operationNodeParams(spec, operationId, serverUrl);
  } catch (err) {
    if (lenient) return undefined;
    if (err instanceof SpecError)
      throw new ApiError(
        'bad_request',
        `${spec.name}: ${err.problem}${err.where === 'servers' ? ' (choose or type a server URL)' : ''}`,
        [{ path: err.where === 'servers' ? 'input.serverUrl' : 'input.operationId', message: err.problem }],
      );
    throw err;
  }
}

function noOperation(spec: StoredSpec, operationId: string): ApiError {
  return new ApiError(
    'not_found',
    `"${spec.name}" has no operation "${operationId}"; the spec may have been re-imported without it. Pick an operation from its list.`,
    [{ path: 'input.operationId', message: 'no such operation in this spec' }],
  );
}

/** Runs an import step, turning SpecErrors (not a spec, bad YAML at line 3, unreachable URL) into located bad requests. */
async function specCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SpecError)
      throw new ApiError('bad_request', `The spec cannot be imported: ${err.message}`, [
        { path: err.where || 'spec', message: err.problem, code: 'spec_error' },
      ]);
    throw err;
  }
}

async function answer(ctx: ApiContext, result: ImportResult): Promise<ImportAnswer> {
  const summary = (await listSpecs(ctx.db, ctx.workspaceId)).find((s) => s.id === result.specId);
  if (!summary) throw new ApiError('not_found', `The imported spec ${result.slug} is gone; it was deleted meanwhile.`);
  return {
    spec: toSummary(summary),
    operations: result.operations,
    skipped: result.skipped,
    warnings: result.warnings,
    notModified: result.notModified,
  };
}

function fetchOption(ctx: ApiContext): { fetch?: SpecFetch } {
  // The app's safe client (same allow-list as the rest of the server); the package's own otherwise.
  return ctx.fetch ? { fetch: ctx.fetch as SpecFetch } : {};
}

function tagsOf(op: ApiOperation): string[] {
  return op.tags.length > 0 ? op.tags : [UNTAGGED];
}

function toSummary(s: SpecSummary): ApiSpecSummary {
  return {
    id: s.id,
    name: s.name,
    slug: s.slug,
    title: s.title,
    version: s.version,
    specVersion: s.specVersion,
    sourceUrl: s.sourceUrl,
    fetchedAt: s.fetchedAt ? s.fetchedAt.toISOString() : null,
    updatedAt: s.updatedAt.toISOString(),
    operations: s.operations,
    skipped: s.skipped,
    readyId: readyIdOf(s),
  };
}

/** A spec installed from a ready connection: its slug and name, and no source URL (what `installReadyConnection` writes). */
function readyIdOf(s: Pick<SpecSummary, 'slug' | 'name' | 'sourceUrl'>): string | null {
  const ready = readyConnections.find((r) => r.id === s.slug && r.title === s.name);
  return ready && !s.sourceUrl ? ready.id : null;
}
