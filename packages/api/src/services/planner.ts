import { WorkflowGraphSchema, type WorkflowGraph } from '@apiq/graph';
import {
  CatalogIndex,
  explainWorkflow,
  modelConfigFromEnv,
  plan,
  type ModelConfig,
  type Proposal,
} from '@apiq/planner';
import { createSafeFetch, type SafeFetch } from '@apiq/http';
import type { NodeCatalog } from '@apiq/sdk';
import { createCredentialResolver } from '@apiq/vault';
import { ApiError } from '../errors.ts';
import type { ApiContext } from '../trpc.ts';
import { getSettings } from './settings.ts';

const indexes = new WeakMap<NodeCatalog, CatalogIndex>();

/** One search index per catalog, built on first use. */
function indexFor(catalog: NodeCatalog): CatalogIndex {
  let index = indexes.get(catalog);
  if (!index) {
    index = CatalogIndex.fromCatalog(catalog);
    indexes.set(catalog, index);
  }
  return index;
}

export interface PlannerStatus {
  mode: 'model' | 'offline';
  model: string | null;
  /** Where the model settings come from. */
  source: 'settings' | 'environment' | null;
}

/**
 * The model the planner should use: the instance settings (base URL, model and an `openai`
 * connection holding the key), else OPENAI_API_KEY / OPENAI_BASE_URL, else none (offline).
 */
export async function plannerModel(ctx: ApiContext): Promise<{ model?: ModelConfig; status: PlannerStatus }> {
  const { planner } = await getSettings(ctx);
  if (planner.connectionId || planner.baseUrl) {
    let apiKey = 'none';
    let baseUrl = planner.baseUrl;
    if (planner.connectionId) {
      if (!ctx.vault) throw new ApiError('bad_request', 'The credential vault is not available in this process.');
      const resolve = createCredentialResolver({
        db: ctx.db,
        vault: ctx.vault,
        catalog: ctx.catalog,
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      });
      const creds = await resolve(ctx.workspaceId, { openai: planner.connectionId });
      apiKey = creds.openai?.apiKey ?? apiKey;
      baseUrl ??= creds.openai?.baseUrl ?? null;
    }
    const model: ModelConfig = {
      baseURL: baseUrl ?? 'https://api.openai.com/v1',
      apiKey,
      model: planner.model ?? 'gpt-4o-mini',
    };
    return { model, status: { mode: 'model', model: model.model, source: 'settings' } };
  }
  if (process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL) {
    const model = modelConfigFromEnv(process.env);
    return { model, status: { mode: 'model', model: model.model, source: 'environment' } };
  }
  return { status: { mode: 'offline', model: null, source: null } };
}

function parseCurrent(current: Record<string, unknown> | undefined): WorkflowGraph | undefined {
  if (!current) return undefined;
  const parsed = WorkflowGraphSchema.safeParse(current);
  if (!parsed.success)
    throw new ApiError(
      'bad_request',
      `current is not a workflow graph: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
    );
  return parsed.data;
}

let sharedFetch: SafeFetch | undefined;

/** Proposes a workflow (or a change to `current`) for a message; model or offline, as configured. */
export async function proposeWorkflow(
  ctx: ApiContext,
  input: {
    message: string;
    current?: Record<string, unknown>;
    history?: Array<{ role: 'user' | 'assistant'; content: string }>;
  },
): Promise<Proposal & { status: PlannerStatus }> {
  const { model, status } = await plannerModel(ctx);
  const current = parseCurrent(input.current);
  sharedFetch ??= createSafeFetch();
  try {
    const proposal = await plan(input.message, {
      catalog: ctx.catalog,
      index: indexFor(ctx.catalog),
      model,
      current,
      ...(input.history ? { history: input.history } : {}),
      fetch: (ctx.fetch as SafeFetch | undefined) ?? sharedFetch,
    });
    return { ...proposal, status };
  } catch (err) {
    throw new ApiError(
      'bad_request',
      `The model endpoint failed: ${(err as Error).message}. Check the planner settings, or clear them to use the offline planner.`,
    );
  }
}

/** "Explain this workflow", one line per step. */
export function explain(ctx: ApiContext, graph: Record<string, unknown>): Array<{ nodeId: string; text: string }> {
  const parsed = parseCurrent(graph)!;
  return explainWorkflow(parsed, ctx.catalog);
}
