/**
 * The data the node panel works with. API shapes come from the tRPC router's types and graph
 * types from @apiq/graph (types only: nothing of the engine reaches the browser bundle).
 */
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@apiq/api';
import type { GraphNode, WorkflowGraph, ValidationIssue } from '@apiq/graph';

export type { GraphNode, WorkflowGraph, ValidationIssue };

type Outputs = inferRouterOutputs<AppRouter>;

/** Any value that survives JSON.stringify → JSON.parse unchanged. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An item of `catalog.nodes` as the API sends it. */
export type ApiNodeType = Outputs['catalog']['nodes'][number];

/**
 * A node type as the editor uses it (see `loadCatalogNodes`): the API's item with `id` (= `type`)
 * and absent values as undefined rather than null.
 */
export type CatalogNode = Omit<ApiNodeType, 'icon' | 'trigger'> & {
  id: string;
  icon?: string;
  trigger?: string;
  docsUrl?: string;
};

/** `runs.get`: a run, the graph it ran and every step attempt. */
export type RunDetail = Outputs['runs']['get'];

/** One attempt of one step of a run. */
export type StepRecord = RunDetail['steps'][number];

/** `workflows.triggerInfo`: how the workflow starts (webhook URL, next schedule times, manual). */
export type TriggerInfo = Outputs['workflows']['triggerInfo'];

/** `expressions.preview`. */
export type PreviewResult = Outputs['expressions']['preview'];

/** An item of `connections.list`: a stored credential (its values never leave the server). */
export type Connection = Outputs['connections']['list'][number];

/** An item of `catalog.credentialKinds`. */
export type CredentialKind = Outputs['catalog']['credentialKinds'][number];

/** What an expression sees (JSONata variables), as sent to `expressions.preview`. */
export interface PreviewContext {
  trigger?: unknown;
  input?: unknown;
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

/** A step error as the engine records it (read defensively: it is stored JSON). */
export interface StepError {
  kind?: string;
  name?: string;
  message: string;
  retryAfterMs?: number;
  details?: unknown;
}
