import type { z } from 'zod';

/** Any value that survives JSON.stringify → JSON.parse unchanged. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type NodeCategory = 'trigger' | 'flow' | 'data' | 'code' | 'network' | 'app' | 'ai' | 'utility';

/** How a trigger node starts runs. */
export type TriggerKind = 'manual' | 'webhook' | 'schedule' | 'polling' | 'app_event';

export interface CredentialRequirement {
  /** Credential kind, e.g. `github`, `slack_bot`, `http_bearer`. */
  kind: string;
  required?: boolean;
  description?: string;
}

export interface Logger {
  debug(message: string, data?: Json): void;
  info(message: string, data?: Json): void;
  warn(message: string, data?: Json): void;
  error(message: string, data?: Json): void;
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Json;
  at: string;
}

/** The fetch a node gets: the platform's safe outbound client (SSRF checks, timeouts, size caps). */
export type NodeFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Small persistent key-value state per workflow node, kept between runs (polling cursors, dedupe keys). */
export interface NodeState {
  get(): Json | undefined;
  set(value: Json): void;
}

export interface RunInfo {
  runId: string;
  workflowId: string;
  stepId: string;
  attempt: number;
  /** '' for a step outside loops, '3' for the 4th item of a for-each, '3.0' when nested. */
  iteration: string;
}

export interface NodeContext<P> {
  /** Parameters with expressions already evaluated and validated against the node's schema. */
  params: P;
  /** The value arriving on the node's `main` input (or its first active input). */
  input: Json;
  /** Every active input by port name (for nodes with several inputs, such as Merge). */
  inputs: Record<string, Json>;
  /** The trigger's output for this run. */
  trigger: Json;
  /** Inside a for-each loop: the current item and its position (innermost loop). */
  loop?: { item: Json; index: number };
  /** Credential values by kind, decrypted for this step only. */
  credentials: Record<string, Record<string, string>>;
  fetch: NodeFetch;
  log: Logger;
  signal: AbortSignal;
  /** Stable across retries and crash recovery of this step: send it as an Idempotency-Key. */
  idempotencyKey: string;
  state: NodeState;
  run: RunInfo;
}

/** Tells the engine to respond to the waiting webhook caller. */
export interface RespondInstruction {
  status: number;
  headers?: Record<string, string>;
  body: Json;
}

/** Tells the engine to suspend the run until a time, or until the resume URL is called. */
export type WaitInstruction = { until: string } | { webhook: true; timeoutAt?: string };

/**
 * What `run` returns. Most nodes return `{ output }`, which travels on the `main` port.
 * Branching nodes return `{ ports: { true: value } }`: only the named ports fire.
 */
export type NodeResult =
  | { output: Json; respond?: RespondInstruction; wait?: WaitInstruction }
  | { ports: Record<string, Json>; respond?: RespondInstruction };

export interface PollResult {
  items: Json[];
  /** Saved and handed back as `ctx.state` on the next poll. */
  cursor?: Json;
}

/** One HTTP delivery to an app-event trigger's webhook URL, as the trigger's `webhook` hooks see it. */
export interface WebhookDelivery<P = unknown> {
  method: string;
  /** The endpoint path without the `/webhook/` prefix, e.g. `github/issues`. */
  path: string;
  /** Request headers, names lower-cased (repeated headers joined with `, `). */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The body exactly as received: verify signatures over this. */
  rawBody: Uint8Array;
  /** The body parsed by content type: JSON, a form as an object, else text; `null` when empty. */
  body: Json;
  /** The trigger's parameters, parsed by its schema. */
  params: P;
}

export type WebhookVerdict = { ok: true } | { ok: false; message: string };

/** An answer sent straight back to the caller, without starting a run. */
export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body: Json;
}

/**
 * How an app-event trigger (`trigger: 'app_event'`) receives deliveries at `/webhook/<path>`
 * (its `path` param). The web process calls the hooks in this order: `verify` (401 and no run
 * when it fails), `handshake` (answered as is, no run), `accept` (200 and no run when false),
 * then starts one run per `deliveryId` with `output` as the trigger's output, and answers 200.
 * Hooks are synchronous and must not do I/O.
 */
export interface NodeWebhook<P = unknown> {
  /**
   * Checks the delivery is authentic, usually a provider's HMAC signature. `credentials` are the
   * trigger node's decrypted credentials by kind (empty when the node references none).
   */
  verify?(delivery: WebhookDelivery<P>, credentials: Record<string, Record<string, string>>): WebhookVerdict;
  /** A reply for protocol handshakes (Slack's `url_verification`, GitHub's `ping`), else undefined. */
  handshake?(delivery: WebhookDelivery<P>): WebhookReply | undefined;
  /** Whether this delivery starts a run (default: all do). */
  accept?(delivery: WebhookDelivery<P>): boolean;
  /** The provider's delivery or event id: a redelivery with the same id starts no second run. */
  deliveryId?(delivery: WebhookDelivery<P>): string | undefined;
  /** The trigger's output (default `{ headers, body }` without cookie and authorization headers). */
  output?(delivery: WebhookDelivery<P>): Json;
}

export interface NodeDefinition<S extends z.ZodType = z.ZodType> {
  /** Stable id persisted in workflows: `namespace.snake_case`, e.g. `github.create_issue`. */
  id: string;
  /** Major version. A workflow pins `id@version`; several versions may be installed side by side. */
  version: number;
  title: string;
  description: string;
  keywords: string[];
  category: NodeCategory;
  /** An emoji, a short text or an SVG document. */
  icon?: string;
  /** Set for trigger nodes: how this trigger starts runs. */
  trigger?: TriggerKind;
  credentials: CredentialRequirement[];
  /** Input port names. Triggers have none. */
  inputs: string[];
  /** Output port names. */
  outputs: string[];
  params: S;
  /** Running twice with the same idempotency key has the effect of running once. */
  idempotent: boolean;
  /**
   * False for nodes that only compute from their inputs (no network, no external writes).
   * The engine may record several such steps in one write; side-effecting steps are recorded
   * as started before they run, so a crash never hides an attempt.
   */
  sideEffects: boolean;
  run(ctx: NodeContext<z.infer<S>>): Promise<NodeResult> | NodeResult;
  /** Polling triggers: fetch new items since the state's cursor. */
  poll?(ctx: NodeContext<z.infer<S>>): Promise<PollResult>;
  /** App-event triggers: how deliveries to the trigger's webhook URL are checked and shaped. */
  webhook?: NodeWebhook<z.infer<S>>;
}
