/**
 * The panel's calls to the app API. They go through the shared tRPC client by path, so the panel
 * keeps compiling while procedures are added; the shapes are in ./types.ts.
 */
import { trpc } from '../trpc.ts';
import { contextForExpression } from './context-for-expression.ts';
import type {
  ApiNodeType,
  CatalogNode,
  Connection,
  CredentialKind,
  PreviewContext,
  PreviewResult,
  RunDetail,
  TriggerInfo,
} from './types.ts';

interface Procedure {
  query(input?: unknown): Promise<unknown>;
}

function procedure(path: string): Procedure {
  let current: unknown = trpc;
  for (const part of path.split('.')) current = (current as Record<string, unknown>)[part];
  return current as Procedure;
}

/** The installed node types (`catalog.nodes`), each with `id` = its type id. */
export async function loadCatalogNodes(): Promise<CatalogNode[]> {
  const items = (await procedure('catalog.nodes').query()) as ApiNodeType[];
  return items.map(toCatalogNode);
}

/**
 * The editor's view of a catalog item.
 *
 * @example toCatalogNode({ type: 'core.if', icon: null, trigger: null, ... }).id // 'core.if'
 */
export function toCatalogNode(item: ApiNodeType): CatalogNode {
  const { icon, trigger, ...rest } = item;
  return {
    ...rest,
    id: item.type,
    ...(icon === null ? {} : { icon }),
    ...(trigger === null ? {} : { trigger }),
  };
}

let credentialKinds: Promise<CredentialKind[]> | undefined;

/** Credential kinds with their titles (`catalog.credentialKinds`), fetched once per page load. */
export function loadCredentialKinds(): Promise<CredentialKind[]> {
  credentialKinds ??= (procedure('catalog.credentialKinds').query() as Promise<CredentialKind[]>).catch(
    (error: unknown) => {
      credentialKinds = undefined;
      throw error;
    },
  );
  return credentialKinds;
}

/** The workspace's connections (`connections.list`); secrets never come back. */
export async function listConnections(): Promise<Connection[]> {
  return (await procedure('connections.list').query()) as Connection[];
}

/** Webhook URLs and next schedule times of a workflow's triggers (`workflows.triggerInfo`). */
export async function loadTriggerInfo(workflowId: string): Promise<TriggerInfo> {
  return (await procedure('workflows.triggerInfo').query({ id: workflowId })) as TriggerInfo;
}

/** A run with its step attempts (`runs.get`). */
export async function loadRun(id: string): Promise<RunDetail> {
  return (await procedure('runs.get').query({ id })) as RunDetail;
}

/**
 * Evaluates an expression on the server against sample data (`expressions.preview`).
 *
 * Only the sample data the expression mentions is sent.
 *
 * @example await previewExpression('$trigger.body.total * 2', { trigger: { body: { total: 3 } }, steps: {} })
 * // { ok: true, value: 6 }
 */
export async function previewExpression(src: string, context: PreviewContext): Promise<PreviewResult> {
  return (await procedure('expressions.preview').query({
    src,
    context: contextForExpression(src, context),
  })) as PreviewResult;
}
