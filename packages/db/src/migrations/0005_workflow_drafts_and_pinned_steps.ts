import { sql, type Kysely } from 'kysely';

const STEP_STATUSES = ['running', 'succeeded', 'failed', 'interrupted', 'skipped', 'waiting', 'compensated'];
/** Steps the editor supplied instead of running: a pinned output, or an output reused from an earlier run. */
const EDITOR_STEP_STATUSES = ['pinned', 'reused'];

const inList = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * What the editor needs from the schema:
 * - `workflows.draft`: the graph being edited when it does not validate yet (a saved version
 *   always validates and compiles; a draft never runs), so an unfinished edit is never lost;
 * - step statuses `pinned` and `reused` for editor runs that take some outputs as given.
 * Instance settings need nothing new: the `settings` key/value table exists since 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table workflows add column draft jsonb`.execute(db);
  await sql
    .raw(
      `alter table step_attempts drop constraint step_attempts_status_check,
       add constraint step_attempts_status_check check (status in (${inList([...STEP_STATUSES, ...EDITOR_STEP_STATUSES])}))`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from step_attempts where status in ('pinned', 'reused')`.execute(db);
  await sql
    .raw(
      `alter table step_attempts drop constraint step_attempts_status_check,
       add constraint step_attempts_status_check check (status in (${inList(STEP_STATUSES)}))`,
    )
    .execute(db);
  await sql`alter table workflows drop column if exists draft`.execute(db);
}
