export {
  createSafeFetch,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_REDIRECTS,
} from './safe-fetch.ts';
export type { SafeFetch, SafeFetchOptions, SafeRequestInit, OutboundCall, CallObserver } from './safe-fetch.ts';
export {
  SafeFetchError,
  BlockedAddressError,
  HttpTimeoutError,
  ResponseTooLargeError,
  CircuitOpenError,
  SAFE_FETCH_ERROR_CODES,
} from './errors.ts';
export type { SafeFetchErrorCode } from './errors.ts';
export { classifyAddress, parseIpLiteral } from './ip-ranges.ts';
export type { AddressVerdict } from './ip-ranges.ts';
export {
  parseAllowList,
  allowListFromEnv,
  isAddressAllowed,
  isHostAllowed,
  ALLOW_ENV_VAR,
  EMPTY_ALLOW_LIST,
} from './allow-list.ts';
export type { AllowList } from './allow-list.ts';
export {
  createCircuitBreaker,
  breakerKey,
  BREAKER_ENV_VAR,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_FAILURE_WINDOW_MS,
  DEFAULT_COOLDOWN_MS,
} from './circuit-breaker.ts';
export type {
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitSnapshot,
  CircuitState,
  BreakerPermit,
} from './circuit-breaker.ts';
export { systemResolver } from './check-destination.ts';
export type { HostResolver, ResolvedAddress } from './check-destination.ts';
export type { JsonBody } from './request-body.ts';
export { resolveSafeAddress } from './resolve-safe-address.ts';
export type { ResolveSafeAddressOptions, SafeAddress } from './resolve-safe-address.ts';
