export { Executor } from './engine/executor.ts';
export type { ExecutorOptions } from './engine/executor.ts';
export { loadStepCredentials, redactResult } from './credentials/index.ts';
export type { CredentialResolver, StepCredentials } from './credentials/index.ts';
export { createInvoker, INLINE_NODE_TYPES } from './engine/invoker.ts';
export type { Invoker } from './engine/invoker.ts';
export { RunExecution } from './engine/run-execution.ts';
export { nextRetryDelay, FREE_RATE_LIMITED_ATTEMPTS } from './engine/retry.ts';
export * from './limits/index.ts';
export { limitedFetch, backOffFor } from './credentials/limited-fetch.ts';
export { createApiqServer } from './server/http-server.ts';
export type { ApiqServer, ApiqServerOptions } from './server/http-server.ts';
export { Scheduler } from './triggers/scheduler.ts';
export { Poller } from './triggers/poller.ts';
export type { PollerOptions, PollOutcome } from './triggers/poller.ts';
export { RunEventHub } from './store/run-events.ts';
export { STEP_EVENT_CHANNEL, StepEventPublisher, stepEventOf, subscribeStepEvents } from './store/step-events.ts';
export type { StepEvent } from './store/step-events.ts';
export {
  startEditorRun,
  editorRunState,
  pinnedResult,
  EditorRunError,
  SUPPLIED_STATUSES,
} from './engine/editor-runs.ts';
export type { EditorRunRequest, EditorRunState } from './engine/editor-runs.ts';
export { nextScheduleTicks } from './triggers/next-ticks.ts';
export { listen } from './store/listen.ts';
export type { Unlisten } from './store/listen.ts';
export type { RunEvent } from './store/run-events.ts';
export * from './store/runs.ts';
export { ENGINE_SESSION_SETTINGS } from './store/engine-session.ts';
export * from './store/workflows.ts';
export { createLogger } from './log.ts';
export type { Log } from './log.ts';
export { Maintenance } from './maintenance.ts';
export * from './metrics/index.ts';
export * from './alerts/index.ts';
