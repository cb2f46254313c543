import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_waiting_index.ts';
import * as m0006 from './0006_accounts.ts';

/**
 * Every migration, in order. Listed statically (no directory scanning) so they work
 * wherever the code runs. Add new ones at the end; never edit or rename a shipped one.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_waiting_index': m0002,
  '0006_accounts': m0006,
};
