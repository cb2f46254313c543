export { parseSpec, type ParseSpecOptions } from './parse-spec.ts';
export { readDocument } from './read-document.ts';
export { SpecError, formatWhere } from './spec-error.ts';
export { fetchSpec, specFetch, MAX_SPEC_BYTES, type FetchedSpec, type SpecFetch } from './fetch-spec.ts';
export { mapSecurityScheme, mapSwaggerSecurityDefinition } from './security-schemes.ts';
export { operationNodeParams, type OperationNodeParams, type OperationAuthOption } from './node-params.ts';
export { derivedId, pickContentType } from './normalize-operations.ts';
export type { LoadDocument } from './refs.ts';
export * from './model.ts';
export { saveSpec, type SaveSpecInput, type SavedSpec } from './store/save-spec.ts';
export {
  listSpecs,
  loadSpec,
  getOperation,
  readRawSpec,
  deleteSpec,
  type SpecSummary,
  type StoredSpec,
} from './store/read-specs.ts';
export { searchOperations, type OperationHit } from './store/search-operations.ts';
export {
  importSpec,
  refreshSpec,
  type SpecSource,
  type ImportSpecOptions,
  type ImportResult,
} from './store/import-spec.ts';
export { slugify } from './store/slug.ts';
export { readyConnections, installReadyConnection, type ReadyConnection } from './ready-connections.ts';
