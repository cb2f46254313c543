import type { WorkflowGraph } from '@apiq/graph';
import type { NodeCatalog } from '@apiq/sdk';
import type { SafeFetch } from '@apiq/http';
import { CatalogIndex } from './catalog-search.ts';
import { planWithModel, type ModelConfig } from './model/planner.ts';
import { planOffline } from './offline/planner.ts';
import { refineOffline } from './offline/refine.ts';
import type { Proposal } from './proposal.ts';

export interface PlanOptions {
  catalog: NodeCatalog;
  index?: CatalogIndex;
  /** The configured model; without one the offline planner answers. */
  model?: ModelConfig | undefined;
  /** The open workflow: the message edits it. */
  current?: WorkflowGraph | undefined;
  history?: Array<{ role: 'user' | 'assistant'; content: string }>;
  fetch?: SafeFetch;
  signal?: AbortSignal;
}

/**
 * One entry point for the editor, the API and the CLI: the model planner when a model is
 * configured, else the offline planner; with a current workflow, the message edits it.
 */
export async function plan(message: string, o: PlanOptions): Promise<Proposal> {
  const index = o.index ?? CatalogIndex.fromCatalog(o.catalog);
  if (o.model)
    return planWithModel(message, {
      catalog: o.catalog,
      index,
      model: o.model,
      ...(o.current ? { current: o.current } : {}),
      ...(o.history ? { history: o.history } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  if (o.current) return refineOffline(o.current, message, { catalog: o.catalog, index });
  return planOffline(message, { catalog: o.catalog, index });
}
