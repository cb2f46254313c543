import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_waiting_index.ts';
import * as m0003 from './0003_credentials.ts';
import * as m0004 from './0004_api_specs.ts';
import * as m0005 from './0005_workflow_drafts_and_pinned_steps.ts';
import * as m0006 from './0006_accounts.ts';
import * as m0007 from './0007_workspace_templates.ts';
import * as m0008 from './0008_alerts.ts';
import * as m0009 from './0009_connection_limits.ts';
import * as m0010 from './0010_planner_conversations.ts';
import * as m0011 from './0011_runs_created_brin.ts';

/**
 * Every migration, in order. Listed statically (no directory scanning) so they work
 * wherever the code runs. Add new ones at the end; never edit or rename a shipped one.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_waiting_index': m0002,
  '0003_credentials': m0003,
  '0004_api_specs': m0004,
  '0005_workflow_drafts_and_pinned_steps': m0005,
  '0006_accounts': m0006,
  '0007_workspace_templates': m0007,
  '0008_alerts': m0008,
  '0009_connection_limits': m0009,
  '0010_planner_conversations': m0010,
  '0011_runs_created_brin': m0011,
};
