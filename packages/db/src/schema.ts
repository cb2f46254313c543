import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb columns: written as JSON text (pg serialises objects), read back parsed. */
type Jsonb<T = unknown> = ColumnType<T, string | T, string | T>;
type NullableJsonb<T = unknown> = ColumnType<T | null, string | T | null | undefined, string | T | null>;

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'dead';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped' | 'waiting' | 'compensated';

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
}

export type Run = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
export type StepAttempt = Selectable<StepAttemptsTable>;
export type NewStepAttempt = Insertable<StepAttemptsTable>;
export type Workflow = Selectable<WorkflowsTable>;
export type WorkflowVersion = Selectable<WorkflowVersionsTable>;

/** The id of the workspace created by the first migration; single-user installs live in it. */
export const DEFAULT_WORKSPACE_ID = '00000000-0000-4000-8000-000000000001';
