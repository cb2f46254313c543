export {
  defineNode,
  checkDefinition,
  paramsJsonSchema,
  nodeKey,
  NodeDefinitionError,
  NODE_ID_PATTERN,
} from './define-node.ts';
export type { NodeSpec } from './define-node.ts';
export {
  NodeError,
  RetryableError,
  FatalError,
  RateLimitedError,
  serializeError,
  isSerializedError,
  errorForStatus,
  parseRetryAfter,
} from './errors.ts';
export type { NodeErrorKind, SerializedError } from './errors.ts';
export { dedupeItems } from './polling.ts';
export type { DedupeState } from './polling.ts';
export type * from './types.ts';
export { z } from 'zod';
export { createStaticCatalog } from './catalog.ts';
export type { NodeCatalog, CatalogEntry, NodeSource } from './catalog.ts';
export { evaluateCondition, checkCondition, conditionSchema, ConditionError } from './conditions.ts';
export { verifyWebhookSignature, signWebhookBody } from './webhook-signature.ts';
export type { SignatureCheck, SignatureFailure, VerifySignatureOptions } from './webhook-signature.ts';
export {
  defineCredentialKind,
  checkCredentialKind,
  isCredentialKind,
  applyCredentialAuth,
  credentialBaseUrl,
  fillTemplate,
  credentialSecrets,
  redactSecrets,
  REDACTED,
  MIN_REDACTED_LENGTH,
} from './credentials.ts';
export type { CredentialKindDefinition, CredentialAuth, CredentialValues } from './credentials.ts';
export {
  genericCredentialKinds,
  apiKeyHeader,
  apiKeyQuery,
  httpBearer,
  httpBasic,
  oauth2AuthorizationCode,
  oauth2ClientCredentials,
} from './generic-credential-kinds.ts';
