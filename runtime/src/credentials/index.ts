export { loadStepCredentials, type CredentialResolver, type StepCredentials } from './step-credentials.ts';
export { redactResult } from './redact-result.ts';
