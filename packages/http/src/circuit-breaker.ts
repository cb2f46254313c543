import { CircuitOpenError } from './errors.ts';

export interface CircuitBreakerOptions {
  /** Consecutive failures (within `windowMs`) that open a host's circuit. Default 5. */
  failureThreshold?: number;
  /** Failures older than this no longer count towards the threshold. Default 60 s. */
  windowMs?: number;
  /** How long an open circuit refuses calls before letting one trial through. Default 30 s. */
  cooldownMs?: number;
  /** Current time in ms. Default `Date.now`; tests pass a fake clock. */
  clock?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/** One host's circuit, as reported for observability and metrics. */
export interface CircuitSnapshot {
  /** `host:port`, e.g. `api.example.com:443`. */
  host: string;
  state: CircuitState;
  /** Consecutive failures: within the window while closed; all of them (failed trials included) once open. */
  failures: number;
  /** When the circuit last opened (clock ms); null while closed. */
  openedAt: number | null;
  /** When a trial request will be let through (clock ms); null while closed. */
  nextTryAt: number | null;
}

/**
 * Leave to make one call to a host. Report exactly one outcome: `success()`, `failure()`,
 * or `release()` when the call says nothing about the host's health (the caller aborted,
 * the address was refused before connecting, DNS failed).
 */
export interface BreakerPermit {
  success(): void;
  failure(): void;
  release(): void;
}

export interface CircuitBreaker {
  readonly enabled: boolean;
  /**
   * Asks to call `host`. Throws `CircuitOpenError` while its circuit is open, or while it is
   * half-open and the one trial call is still in flight.
   */
  acquire(host: string, url?: string): BreakerPermit;
  /** The circuit of one `host:port`; a host never seen (or fully recovered) is closed. */
  state(host: string): CircuitSnapshot;
  /** Every host with a circuit that is not closed-and-clean, sorted by host. */
  snapshot(): CircuitSnapshot[];
}

export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_FAILURE_WINDOW_MS = 60_000;
export const DEFAULT_COOLDOWN_MS = 30_000;
/** While the half-open trial is in flight, other callers are told to come back this soon (capped at the cooldown). */
const TRIAL_IN_FLIGHT_RETRY_MS = 1_000;
/** Above this many tracked hosts, idle hosts with no recent failures are swept when a new one arrives. */
const SWEEP_ABOVE = 1_000;

interface Circuit {
  /** Timestamps of consecutive failures while closed (the oldest dropped once outside the window). */
  recentFailures: number[];
  /** Set while open or half-open. */
  open: { openedAt: number; nextTryAt: number; failures: number; trialInFlight: boolean } | undefined;
  /** Bumped every time the circuit opens: outcomes of calls let through before that are ignored. */
  generation: number;
  inFlight: number;
}

/**
 * A per-host circuit breaker. `failureThreshold` consecutive failures within `windowMs`
 * open a host's circuit: calls fail fast with `CircuitOpenError` for `cooldownMs`. Then one
 * trial call is let through (half-open): success closes the circuit, failure opens it for
 * another cooldown. Any success resets the consecutive-failure count.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 2, cooldownMs: 10_000 });
 * breaker.acquire('api.example.com:443').failure();
 * breaker.acquire('api.example.com:443').failure();
 * breaker.acquire('api.example.com:443');
 * // throws CircuitOpenError: circuit open for api.example.com:443 after 2 consecutive failures; next try in 10 s
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
  const windowMs = options.windowMs ?? DEFAULT_FAILURE_WINDOW_MS;
  const cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const clock = options.clock ?? Date.now;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new RangeError(`circuitBreaker.failureThreshold must be a whole number ≥ 1, got ${String(threshold)}`);
  }
  for (const [name, value] of [
    ['windowMs', windowMs],
    ['cooldownMs', cooldownMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`circuitBreaker.${name} must be a positive number of milliseconds, got ${String(value)}`);
    }
  }

  const circuits = new Map<string, Circuit>();

  const pruneWindow = (circuit: Circuit, now: number) => {
    const oldest = now - windowMs;
    while (circuit.recentFailures.length > 0 && circuit.recentFailures[0]! <= oldest) circuit.recentFailures.shift();
  };
  const isIdleAndClean = (circuit: Circuit, now: number) => {
    if (circuit.open || circuit.inFlight > 0) return false;
    pruneWindow(circuit, now);
    return circuit.recentFailures.length === 0;
  };
  const forgetIfClean = (host: string, circuit: Circuit) => {
    if (circuits.get(host) === circuit && isIdleAndClean(circuit, clock())) circuits.delete(host);
  };
  const sweep = () => {
    const now = clock();
    for (const [host, circuit] of circuits) if (isIdleAndClean(circuit, now)) circuits.delete(host);
  };

  const describe = (host: string, circuit: Circuit | undefined, now: number): CircuitSnapshot => {
    if (!circuit?.open) {
      if (circuit) pruneWindow(circuit, now);
      const failures = circuit?.recentFailures.length ?? 0;
      return { host, state: 'closed', failures, openedAt: null, nextTryAt: null };
    }
    const { openedAt, nextTryAt, failures, trialInFlight } = circuit.open;
    const state = trialInFlight || now >= nextTryAt ? 'half_open' : 'open';
    return { host, state, failures, openedAt, nextTryAt };
  };

  const openCircuit = (circuit: Circuit, failures: number, now: number) => {
    circuit.open = { openedAt: now, nextTryAt: now + cooldownMs, failures, trialInFlight: false };
    circuit.recentFailures = [];
    circuit.generation += 1;
  };

  return {
    enabled: true,
    acquire(host, url) {
      const now = clock();
      let circuit = circuits.get(host);
      if (!circuit) {
        if (circuits.size >= SWEEP_ABOVE) sweep();
        circuit = { recentFailures: [], open: undefined, generation: 0, inFlight: 0 };
        circuits.set(host, circuit);
      }
      let trial = false;
      if (circuit.open) {
        const open = circuit.open;
        if (now < open.nextTryAt || open.trialInFlight) {
          const retryAfterMs = open.trialInFlight
            ? Math.min(TRIAL_IN_FLIGHT_RETRY_MS, cooldownMs)
            : open.nextTryAt - now;
          throw new CircuitOpenError({
            host,
            failures: open.failures,
            retryAfterMs,
            trialInFlight: open.trialInFlight,
            ...(url === undefined ? {} : { url }),
          });
        }
        open.trialInFlight = true;
        trial = true;
      }

      const held = circuit;
      const generation = held.generation;
      held.inFlight += 1;
      let reported = false;
      const report = (outcome: 'success' | 'failure' | 'neutral') => {
        if (reported) return;
        reported = true;
        held.inFlight -= 1;
        // A call let through before the circuit (re)opened says nothing about the host now.
        if (generation !== held.generation) return forgetIfClean(host, held);
        const at = clock();
        if (trial && held.open) {
          if (outcome === 'success') held.open = undefined;
          else if (outcome === 'failure') openCircuit(held, held.open.failures + 1, at);
          else held.open.trialInFlight = false;
        } else if (outcome === 'success') {
          held.recentFailures = [];
        } else if (outcome === 'failure' && !held.open) {
          held.recentFailures.push(at);
          pruneWindow(held, at);
          if (held.recentFailures.length >= threshold) openCircuit(held, held.recentFailures.length, at);
        }
        forgetIfClean(host, held);
      };
      return {
        success: () => report('success'),
        failure: () => report('failure'),
        release: () => report('neutral'),
      };
    },
    state(host) {
      return describe(host, circuits.get(host), clock());
    },
    snapshot() {
      sweep();
      const now = clock();
      return [...circuits.entries()]
        .map(([host, circuit]) => describe(host, circuit, now))
        .filter((entry) => entry.state !== 'closed' || entry.failures > 0)
        .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    },
  };
}

/** A breaker that never opens: what `circuitBreaker: false` and `APIQ_HTTP_BREAKER=off` give. */
export function disabledCircuitBreaker(): CircuitBreaker {
  const permit: BreakerPermit = { success() {}, failure() {}, release() {} };
  return {
    enabled: false,
    acquire: () => permit,
    state: (host) => ({ host, state: 'closed', failures: 0, openedAt: null, nextTryAt: null }),
    snapshot: () => [],
  };
}

export const BREAKER_ENV_VAR = 'APIQ_HTTP_BREAKER';

/**
 * Reads `APIQ_HTTP_BREAKER`: `off` disables every client's breaker (an operator's switch that
 * wins over code), `on` or unset leaves it to the options.
 *
 * @example
 * breakerDisabledByEnv({ APIQ_HTTP_BREAKER: 'off' }); // → true
 */
export function breakerDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[BREAKER_ENV_VAR]?.trim().toLowerCase() ?? '';
  if (raw === '' || raw === 'on') return false;
  if (raw === 'off') return true;
  throw new RangeError(`${BREAKER_ENV_VAR}=${JSON.stringify(env[BREAKER_ENV_VAR])} is not valid; use "off" or "on"`);
}

/**
 * The circuit key of a URL: host and port, the default port written out.
 *
 * @example
 * breakerKey(new URL('https://api.example.com/v1')); // → 'api.example.com:443'
 */
export function breakerKey(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** Statuses that count against a host: server errors. 4xx (429 included) are the caller's business. */
export function isFailureStatus(status: number): boolean {
  return status >= 500 && status <= 599;
}
