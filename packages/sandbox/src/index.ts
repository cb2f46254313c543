export { runUserCode } from './run-user-code.ts';
export type { RunUserCodeOptions, UserCodeData, UserCodeResult } from './run-user-code.ts';
export { SandboxError, CodeError, CodeTimeoutError, CodeMemoryError, CodeOutputError } from './errors.ts';
export { contextsPreparedOnThisThread, disposeWarmIsolates, isolatesCreatedOnThisThread } from './warm-isolate.ts';
