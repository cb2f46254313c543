/**
 * Shapes of the connections and API explorer pages, inferred from the app router (types only:
 * nothing of the server reaches the browser bundle).
 */
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@apiq/api';

type Outputs = inferRouterOutputs<AppRouter>;

/** An item of `connections.list`: a stored credential; its values never leave the server. */
export type Connection = Outputs['connections']['list'][number];
/** An item of `catalog.credentialKinds`: fields as JSON Schema, which are secret, the auth type. */
export type CredentialKind = Outputs['catalog']['credentialKinds'][number];
/** `connections.test`. */
export type ConnectionTestResult = Outputs['connections']['test'];
/** An imported spec (`apis.list`). */
export type ApiSpecSummary = Outputs['apis']['list'][number];
/** `apis.get`: a spec with servers, security schemes, skipped operations and tags. */
export type ApiSpecDetail = Outputs['apis']['get'];
/** `apis.import` / `apis.refresh` / `apis.installReady`. */
export type ImportAnswer = Outputs['apis']['import'];
/** `apis.operations`. */
export type OperationList = Outputs['apis']['operations'];
export type OperationListItem = OperationList['groups'][number]['operations'][number];
/** `apis.operation`: the operation with its argument and body schemas. */
export type OperationDetail = Outputs['apis']['operation'];
/** `apis.ready`. */
export type ReadyConnection = Outputs['apis']['ready'][number];
/** `apis.send`. */
export type SendResult = Outputs['apis']['send'];
/** `apis.nodeParams`. */
export type OperationNodeParams = Outputs['apis']['nodeParams'];

/** The arguments of an operation as the explorer edits them (and an `api.operation` node stores them). */
export interface OperationArgs {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body?: unknown;
}
