export {
  openVault,
  makeVault,
  VaultBootError,
  type Vault,
  type OpenVaultOptions,
  type VaultLog,
} from './open-vault.ts';
export { seal, open, parseEnvelope, credentialAad, EnvelopeError, type Envelope, type MasterKey } from './envelope.ts';
export {
  parseMasterKey,
  generateMasterKey,
  deriveKeyId,
  keyFromEnv,
  readKeyFile,
  createKeyFile,
  keyFilePath,
  newKeyFilePath,
  MasterKeyError,
  MASTER_KEY_ENV,
  MASTER_KEY_ID_ENV,
  NEW_MASTER_KEY_ENV,
  KEY_FILE_NAME,
  NEW_KEY_FILE_NAME,
} from './master-key.ts';
export type { VaultDeps } from './credential-store.ts';
export {
  createConnection,
  listConnections,
  getConnection,
  updateConnection,
  deleteConnection,
  workflowsUsing,
  type Connection,
  type NewConnection,
  type ConnectionUpdate,
} from './connections.ts';
export { checkLimits, connectionLimitsSchema } from './connection-limits.ts';
export { testConnection, type ConnectionTestResult } from './test-connection.ts';
export { ConnectionError, ConnectionInvalidError, ConnectionInUseError, type FieldIssue } from './errors.ts';
export { createCredentialResolver, type CredentialResolver, type ResolvedCredentials } from './resolve-credentials.ts';
export { ensureFreshToken } from './fresh-token.ts';
export { requestToken, obtainToken, isTokenFresh, OAuth2Error, type TokenSet } from './oauth2-token.ts';
export {
  createOAuth2Handler,
  OAUTH2_START_PATH,
  OAUTH2_CALLBACK_PATH,
  OAUTH2_COOKIE,
  type OAuth2HandlerDeps,
} from './oauth2-handler.ts';
export {
  rotateMasterKey,
  KeyRotationError,
  type RotateKeyOptions,
  type RotationResult,
  type RotationProgress,
} from './rotate-key.ts';
