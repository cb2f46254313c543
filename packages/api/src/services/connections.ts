import {
  ConnectionError,
  ConnectionInvalidError,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnection,
  workflowsUsing,
  type Connection,
  type ConnectionTestResult,
  type VaultDeps,
} from '@apiq/vault';
import type { ConnectionLimits } from '@apiq/db';
import { connectionHost, readCircuitStates, type ConnectionBreaker } from '@apiq/runtime';
import type { ApiContext } from '../trpc.ts';
import { ApiError, type ApiErrorCode } from '../errors.ts';

/**
 * Connections (stored credentials) of the caller's workspace, through `@apiq/vault`. Answers
 * carry metadata only: secret values never leave the vault.
 */
export const connections = {
  list: (ctx: ApiContext): Promise<ConnectionWithBreaker[]> =>
    call(ctx, async (deps) => withBreakers(ctx, await listConnections(deps, ctx.workspaceId))),
  get: (ctx: ApiContext, id: string): Promise<ConnectionWithBreaker> =>
    call(ctx, async (deps) => (await withBreakers(ctx, [await getConnection(deps, ctx.workspaceId, id)]))[0]!),
  create: (
    ctx: ApiContext,
    input: {
      name: string;
      kind: string;
      values: Record<string, unknown>;
      limits?: ConnectionLimits | null | undefined;
    },
  ): Promise<Connection> =>
    call(ctx, (deps) =>
      createConnection(deps, ctx.workspaceId, {
        name: input.name,
        kind: input.kind,
        values: input.values,
        ...(input.limits !== undefined ? { limits: input.limits } : {}),
      }),
    ),
  update: (
    ctx: ApiContext,
    id: string,
    update: {
      name?: string | undefined;
      values?: Record<string, unknown> | undefined;
      limits?: ConnectionLimits | null | undefined;
    },
  ): Promise<Connection> =>
    call(ctx, (deps) =>
      updateConnection(deps, ctx.workspaceId, id, {
        ...(update.name !== undefined ? { name: update.name } : {}),
        ...(update.values !== undefined ? { values: update.values } : {}),
        ...(update.limits !== undefined ? { limits: update.limits } : {}),
      }),
    ),
  delete: async (ctx: ApiContext, id: string): Promise<{ id: string; deleted: true }> => {
    await call(ctx, (deps) => deleteConnection(deps, ctx.workspaceId, id));
    return { id, deleted: true };
  },
  /** The workflows whose active or latest version uses the connection (what blocks deleting it). */
  usage: (ctx: ApiContext, id: string): Promise<{ workflows: Array<{ id: string; name: string }> }> =>
    call(ctx, async (deps) => {
      await getConnection(deps, ctx.workspaceId, id);
      return { workflows: await workflowsUsing(deps.db, ctx.workspaceId, id) };
    }),
  test: (ctx: ApiContext, id: string): Promise<ConnectionTestResult> =>
    call(ctx, (deps) => testConnection(deps, ctx.workspaceId, id)),
};

/**
 * A connection with the circuit breaker state of its API's host (`baseUrl`, else the kind's
 * default), as the executors last published it; null when the connection names no base URL.
 */
export type ConnectionWithBreaker = Connection & { breaker: ConnectionBreaker | null };

async function withBreakers(ctx: ApiContext, list: Connection[]): Promise<ConnectionWithBreaker[]> {
  const hosts = list.map((c) => connectionHost(ctx.catalog.credentialKind(c.kind), c.metadata));
  const states = await readCircuitStates(
    ctx.db,
    hosts.filter((h): h is string => h !== undefined),
  );
  return list.map((c, i) => {
    const host = hosts[i];
    return { ...c, breaker: host === undefined ? null : (states.get(host) ?? null) };
  });
}

const CODES: Record<ConnectionError['code'], ApiErrorCode> = {
  not_found: 'not_found',
  invalid: 'bad_request',
  in_use: 'conflict',
  unknown_kind: 'bad_request',
  conflict: 'conflict',
  not_oauth: 'bad_request',
};

async function call<T>(ctx: ApiContext, fn: (deps: VaultDeps) => Promise<T>): Promise<T> {
  if (!ctx.vault)
    throw new ApiError(
      'unavailable',
      'Connections are unavailable: this server runs without the credential vault. Start it with the master key (APIQ_MASTER_KEY or the key file in the data directory).',
    );
  try {
    return await fn({ db: ctx.db, vault: ctx.vault, catalog: ctx.catalog, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
  } catch (err) {
    if (err instanceof ConnectionInvalidError)
      throw new ApiError(
        'bad_request',
        err.message,
        err.issues.map((i) => ({ path: `input.${i.path}`, message: i.message })),
      );
    if (err instanceof ConnectionError) throw new ApiError(CODES[err.code], err.message);
    throw err;
  }
}
