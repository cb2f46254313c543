import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb columns: written as JSON text (pg serialises objects), read back parsed. */
type Jsonb<T = unknown> = ColumnType<T, string | T, string | T>;
type NullableJsonb<T = unknown> = ColumnType<T | null, string | T | null | undefined, string | T | null>;

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'dead';
export type StepStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'interrupted'
  | 'skipped'
  | 'waiting'
  | 'compensated'
  /** Editor runs: the output was pinned in the editor; the node did not run. */
  | 'pinned'
  /** Editor runs: the output was reused from an earlier run; the node did not run. */
  | 'reused';

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  slug: string;
  created_at: Timestamp;
}

export interface WorkflowsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  active: Generated<boolean>;
  /** The version triggers run (set when activated). */
  active_version_id: string | null;
  /** The newest saved version. */
  current_version_id: string | null;
  /** The graph being edited while it does not validate (saved versions always do); null when none. */
  draft: NullableJsonb;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkflowVersionsTable {
  id: Generated<string>;
  workflow_id: string;
  version: number;
  graph: Jsonb;
  ir: Jsonb;
  created_at: Timestamp;
}

export interface RunsTable {
  id: Generated<string>;
  workspace_id: string;
  workflow_id: string;
  version_id: string;
  status: Generated<RunStatus>;
  trigger_kind: string;
  trigger_payload: Jsonb;
  output: NullableJsonb;
  error: NullableJsonb;
  /** The webhook response once a Respond step (or the run's end) produced it. */
  response: NullableJsonb;
  idempotency_key: string | null;
  /** Error-workflow runs point at the run that failed. */
  parent_run_id: string | null;
  /** Queued runs are claimable from this time on (retries with backoff, waits). */
  available_at: Timestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  /** Incremented on every claim; every write by an executor is fenced by it. */
  lease_token: Generated<number>;
  /** How many times an executor died holding this run. */
  recoveries: Generated<number>;
  cancel_requested: Generated<boolean>;
  /** Engine state that is not step output: loop progress, wait resume token. */
  state: NullableJsonb;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface StepAttemptsTable {
  /** bigint identity; int8 is parsed as a number (see pg-types.ts). */
  id: Generated<number>;
  run_id: string;
  step_id: string;
  /** '' outside loops; '3' for item 3 of a for-each; '3.1' nested. */
  iteration: Generated<string>;
  attempt: number;
  status: StepStatus;
  node_type: string;
  input: NullableJsonb;
  output: NullableJsonb;
  /** Output ports that fired (branching nodes). */
  ports: NullableJsonb<string[]>;
  error: NullableJsonb;
  logs: NullableJsonb;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  duration_ms: number | null;
}

export interface SchedulesTable {
  id: Generated<string>;
  workflow_id: string;
  version_id: string;
  node_id: string;
  cron: string;
  timezone: string;
  created_at: Timestamp;
}

export interface ScheduleTicksTable {
  schedule_id: string;
  tick_at: Timestamp;
  run_id: string | null;
  created_at: Timestamp;
}

export interface WebhookEndpointsTable {
  id: Generated<string>;
  workflow_id: string;
  version_id: string;
  node_id: string;
  path: string;
  method: string;
  created_at: Timestamp;
}

export interface DeadLettersTable {
  id: Generated<string>;
  run_id: string;
  step_id: string | null;
  reason: string;
  created_at: Timestamp;
}

export interface NodeStateTable {
  workflow_id: string;
  node_id: string;
  state: Jsonb;
  updated_at: Timestamp;
}

export interface ExecutorsTable {
  id: string;
  hostname: string;
  pid: number;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: Jsonb;
  updated_at: Timestamp;
}

export type VaultKeyStatus = 'active' | 'rotating' | 'retired';

/** One row per master key the vault has been under; its canary proves a key is the right one. */
export interface VaultKeysTable {
  kid: string;
  status: VaultKeyStatus;
  /** An envelope of a known text sealed with this key. */
  canary: Jsonb;
  /** Rotation to this key: `{ rotated, lastId }`. */
  progress: NullableJsonb;
  created_at: Timestamp;
  activated_at: NullableTimestamp;
}

export type CredentialStatus = 'untested' | 'ok' | 'error' | 'needs_connect';

/** A connection: credential values of one kind, sealed in one envelope. */
export interface CredentialsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  /** Credential kind id, e.g. `http_bearer`, `github`. */
  kind: string;
  /** `{ v, kid, iv, tag, ct }`: the whole values object, AES-256-GCM, AAD bound to workspace and id. */
  envelope: Jsonb;
  /** Non-secret fields only, for display. */
  metadata: Jsonb<Record<string, string>>;
  /** Request limits every step using the connection shares; null when unlimited. */
  limits: NullableJsonb<ConnectionLimits>;
  status: Generated<CredentialStatus>;
  last_tested_at: NullableTimestamp;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Limits on the requests made with one connection, across every executor (validated by the vault). */
export interface ConnectionLimits {
  /** Sustained request rate. */
  requestsPerSecond?: number;
  /** Requests that may go out back to back before the rate applies (default 1). */
  burst?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

/** A limited connection's next free send time (GCRA); a 429's Retry-After pushes it forward. */
export interface ConnectionRateTable {
  credential_id: string;
  tat: Timestamp;
  /** Set by a 429: requests already scheduled before it check this before they go. */
  paused_until: NullableTimestamp;
}

/** A lease on one of a connection's concurrency slots, held by one request. */
export interface ConnectionSlotsTable {
  credential_id: string;
  slot: number;
  holder: string;
  expires_at: Timestamp;
}

/** A host's circuit breaker state as one executor (`source`) last saw it. */
export interface CircuitStatesTable {
  source: string;
  /** `host:port`. */
  host: string;
  state: 'closed' | 'open' | 'half_open';
  failures: number;
  opened_at: NullableTimestamp;
  next_try_at: NullableTimestamp;
  updated_at: Generated<Date>;
}

/** An OAuth2 authorisation in progress: single use, short-lived, bound to the browser that started it. */
export interface OAuthStatesTable {
  state: string;
  workspace_id: string;
  credential_id: string;
  user_id: string | null;
  /** SHA-256 (hex) of the nonce in the starting browser's HttpOnly cookie. */
  browser_hash: string;
  /** The PKCE code verifier, sealed by the vault. */
  verifier: Jsonb;
  redirect_uri: string;
  return_to: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

/** An imported OpenAPI / Swagger spec (packages/openapi). */
export interface ApiSpecsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  /** Unique per workspace; the CLI and ready connections refer to specs by it. */
  slug: string;
  title: Generated<string>;
  version: Generated<string>;
  /** `2.0`, `3.0.3`, `3.1.0`, ... */
  spec_version: Generated<string>;
  source_url: string | null;
  etag: string | null;
  fetched_at: NullableTimestamp;
  /** The document as fetched, gzip-compressed. */
  raw: Buffer | null;
  servers: Jsonb;
  /** Security schemes mapped to credential kinds. */
  security: Jsonb;
  /** Operations not imported, with where and why. */
  skipped: Jsonb;
  warnings: Jsonb;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One operation of an imported spec; `search` is a generated tsvector (never written). */
export interface ApiOperationsTable {
  spec_id: string;
  operation_id: string;
  method: string;
  path: string;
  summary: Generated<string>;
  description: Generated<string>;
  tags: Generated<string[]>;
  /** Words of the operation id and tags, for search. */
  keywords: Generated<string>;
  /** The normalized operation (`ApiOperation` of @apiq/openapi). */
  operation: Jsonb;
  search: ColumnType<string, never, never>;
}

/** A template saved in a workspace (packages/templates): graph without connection ids, plus metadata. */
export interface WorkspaceTemplatesTable {
  id: Generated<string>;
  workspace_id: string;
  title: string;
  description: Generated<string>;
  category: string;
  graph: Jsonb;
  /** `{ apps, requiredCredentials, setupNotes, tags }`. */
  metadata: Jsonb;
  created_by: string | null;
  created_at: Timestamp;
}

export type AlertRuleKind = 'run_failed' | 'failures_in_window' | 'duration_over' | 'connection_down';

/** An alert rule: when to fire (`kind` + `config`) and where to deliver (`channels`). */
export interface AlertRulesTable {
  id: Generated<string>;
  workspace_id: string;
  /** null: every workflow of the workspace. */
  workflow_id: string | null;
  name: string;
  kind: AlertRuleKind;
  /** `{ count, minutes }`, `{ ms }` or `{ connectionId }` by kind. */
  config: Jsonb<Record<string, unknown>>;
  /** `[{ type: 'email' | 'slack' | 'webhook', target, connectionId? }]`. */
  channels: Jsonb<unknown[]>;
  error_workflow_id: string | null;
  muted_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One firing of a rule; open until `resolved_at` (at most one open event per rule and subject). */
export interface AlertEventsTable {
  id: Generated<number>;
  rule_id: string;
  workspace_id: string;
  /** What the condition is about: a workflow id, a connection id, or '' for the rule's whole scope. */
  subject: Generated<string>;
  fired_at: Timestamp;
  resolved_at: NullableTimestamp;
  details: Jsonb<Record<string, unknown>>;
  /** Per channel: `{ type, target, ok, error?, muted? }`. */
  deliveries: Jsonb<unknown[]>;
}

/** The in-process metrics a process publishes for the web process's /metrics (one row per process). */
export interface MetricSnapshotsTable {
  source: string;
  metrics: Jsonb;
  updated_at: Timestamp;
}

/** The prompt bar's conversation with the planner about one workflow (turns of text, never credentials). */
export interface PlannerConversationsTable {
  workflow_id: string;
  workspace_id: string;
  /** `[{ role: 'user' | 'assistant', text, at, planner?, question?, issues?, outcome? }]`, oldest first. */
  turns: Jsonb<unknown[]>;
  updated_at: Timestamp;
}

export interface Database {
  workspaces: WorkspacesTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  runs: RunsTable;
  step_attempts: StepAttemptsTable;
  schedules: SchedulesTable;
  schedule_ticks: ScheduleTicksTable;
  webhook_endpoints: WebhookEndpointsTable;
  dead_letters: DeadLettersTable;
  node_state: NodeStateTable;
  executors: ExecutorsTable;
  settings: SettingsTable;
  vault_keys: VaultKeysTable;
  credentials: CredentialsTable;
  oauth_states: OAuthStatesTable;
  api_specs: ApiSpecsTable;
  api_operations: ApiOperationsTable;
  workspace_templates: WorkspaceTemplatesTable;
  alert_rules: AlertRulesTable;
  alert_events: AlertEventsTable;
  metric_snapshots: MetricSnapshotsTable;
  connection_rate: ConnectionRateTable;
  connection_slots: ConnectionSlotsTable;
  circuit_states: CircuitStatesTable;
  planner_conversations: PlannerConversationsTable;
}

export type Run = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
export type StepAttempt = Selectable<StepAttemptsTable>;
export type NewStepAttempt = Insertable<StepAttemptsTable>;
export type Workflow = Selectable<WorkflowsTable>;
export type WorkflowVersion = Selectable<WorkflowVersionsTable>;
export type Credential = Selectable<CredentialsTable>;

/** The id of the workspace created by the first migration; single-user installs live in it. */
export const DEFAULT_WORKSPACE_ID = '00000000-0000-4000-8000-000000000001';
