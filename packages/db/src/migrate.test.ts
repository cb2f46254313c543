import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import './pg-types.ts';
import { knownMigrations, migrateToLatest } from './migrate.ts';
import { DEFAULT_WORKSPACE_ID, type Database } from './schema.ts';
import { createTestDatabase, insertTestWorkflow, testServers } from './testing/index.ts';
import { databaseUrl } from './testing/template-database.ts';

/** An empty database (not from the template), so migrations run from scratch. */
async function emptyDatabase(serverUrl: string) {
  const name = `apiq_empty_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const open = () => {
    const pool = new pg.Pool({ connectionString: databaseUrl(serverUrl, name), max: 2 });
    pool.on('error', () => undefined); // idle connections end when the database is dropped
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  };
  const opened: Kysely<Database>[] = [];
  return {
    open: () => {
      const db = open();
      opened.push(db);
      return db;
    },
    drop: async () => {
      await Promise.all(opened.map((db) => db.destroy()));
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function seedWorkflow(db: Kysely<Database>) {
  const { workflowId, versionId } = await insertTestWorkflow(db);
  const run = await db
    .insertInto('runs')
    .values({
      workspace_id: DEFAULT_WORKSPACE_ID,
      workflow_id: workflowId,
      version_id: versionId,
      trigger_kind: 'manual',
      trigger_payload: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { workflowId, versionId, runId: run.id };
}

describe.each(testServers())('migrations on $name', ({ url }) => {
  it('migrate an empty database up to the schema, with the default workspace, and then do nothing', async () => {
    const empty = await emptyDatabase(url);
    try {
      const db = empty.open();
      expect(await migrateToLatest(db)).toEqual(knownMigrations());
      expect(await migrateToLatest(db)).toEqual([]);
      const tables = await db.introspection.getTables();
      expect(
        tables
          .map((t) => t.name)
          .filter((n) => !n.startsWith('apiq_migration'))
          .sort(),
      ).toEqual(
        [
          'alert_events',
          'alert_rules',
          'api_operations',
          'api_specs',
          'circuit_states',
          'connection_rate',
          'connection_slots',
          'credentials',
          'dead_letters',
          'executors',
          'metric_snapshots',
          'node_state',
          'oauth_states',
          'planner_conversations',
          'runs',
          'schedule_ticks',
          'schedules',
          'settings',
          'step_attempts',
          'vault_keys',
          'webhook_endpoints',
          'workflow_versions',
          'workflows',
          'workspace_templates',
          'workspaces',
          'users',
          'sessions',
          'email_tokens',
          'api_tokens',
          'memberships',
          'invitations',
          'audit_log',
          'email_outbox',
          'rate_limits',
        ].sort(),
      );
      const workspace = await db.selectFrom('workspaces').selectAll().executeTakeFirstOrThrow();
      expect(workspace).toMatchObject({ id: DEFAULT_WORKSPACE_ID, name: 'Default', slug: 'default' });
      expect(workspace.created_at).toBeInstanceOf(Date);
    } finally {
      await empty.drop();
    }
  });

  it('are safe to run from several processes at once', async () => {
    const empty = await emptyDatabase(url);
    try {
      const applied = await Promise.all([
        migrateToLatest(empty.open()),
        migrateToLatest(empty.open()),
        migrateToLatest(empty.open()),
      ]);
      expect(applied.flat().sort()).toEqual(knownMigrations());
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM apiq_migration`.execute(empty.open());
      expect(rows[0]?.n).toBe(knownMigrations().length);
    } finally {
      await empty.drop();
    }
  });

  it('fill defaults: queued status, zero lease token, numeric step attempt ids', async () => {
    const test = await createTestDatabase(url);
    try {
      const { runId } = await seedWorkflow(test.db);
      const run = await test.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
      expect(run).toMatchObject({
        status: 'queued',
        lease_token: 0,
        recoveries: 0,
        cancel_requested: false,
        output: null,
      });
      expect(run.available_at).toBeInstanceOf(Date);
      const attempt = await test.db
        .insertInto('step_attempts')
        .values({
          run_id: runId,
          step_id: 'a',
          attempt: 1,
          status: 'running',
          node_type: 'core.noop',
          ports: JSON.stringify(['main']),
        })
        .returning(['id', 'iteration', 'ports', 'started_at'])
        .executeTakeFirstOrThrow();
      expect(typeof attempt.id).toBe('number');
      expect(attempt).toMatchObject({ iteration: '', ports: ['main'] });
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM step_attempts`.execute(test.db);
      expect(rows[0]?.n).toBe(1);
    } finally {
      await test.drop();
    }
  });

  it('let the database reject a second successful attempt of the same step', async () => {
    const test = await createTestDatabase(url);
    try {
      const { runId } = await seedWorkflow(test.db);
      const attempt = (n: number, status: 'succeeded' | 'failed', iteration = '') =>
        test.db
          .insertInto('step_attempts')
          .values({ run_id: runId, step_id: 'fetch', iteration, attempt: n, status, node_type: 'core.http' })
          .execute();
      await attempt(1, 'failed');
      await attempt(2, 'succeeded');
      await expect(attempt(3, 'succeeded')).rejects.toThrow(/step_attempts_one_success_idx/);
      await expect(attempt(2, 'failed')).rejects.toThrow(/step_attempts_attempt_idx/);
      // Another loop iteration of the same step is a different step execution.
      await attempt(1, 'succeeded', '1');
    } finally {
      await test.drop();
    }
  });

  it('reject the same idempotency key twice for a workflow', async () => {
    const test = await createTestDatabase(url);
    try {
      const { workflowId, versionId } = await seedWorkflow(test.db);
      const enqueue = (key: string | null) =>
        test.db
          .insertInto('runs')
          .values({
            workspace_id: DEFAULT_WORKSPACE_ID,
            workflow_id: workflowId,
            version_id: versionId,
            trigger_kind: 'webhook',
            trigger_payload: '{}',
            idempotency_key: key,
          })
          .execute();
      await enqueue('order-1');
      await expect(enqueue('order-1')).rejects.toThrow(/runs_idempotency_key_idx/);
      await enqueue(null);
      await enqueue(null);
    } finally {
      await test.drop();
    }
  });

  it('allow exactly one row per schedule tick', async () => {
    const test = await createTestDatabase(url);
    try {
      const { workflowId, versionId } = await seedWorkflow(test.db);
      const schedule = await test.db
        .insertInto('schedules')
        .values({ workflow_id: workflowId, version_id: versionId, node_id: 'cron', cron: '* * * * *', timezone: 'UTC' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const tick = (at: string) =>
        test.db.insertInto('schedule_ticks').values({ schedule_id: schedule.id, tick_at: at }).execute();
      await tick('2026-01-01T00:00:00Z');
      await expect(tick('2026-01-01T00:00:00Z')).rejects.toThrow(/schedule_ticks_pkey/);
      await tick('2026-01-01T00:01:00Z');
    } finally {
      await test.drop();
    }
  });

  it('reject unknown statuses and duplicate webhook routes', async () => {
    const test = await createTestDatabase(url);
    try {
      const { workflowId, versionId, runId } = await seedWorkflow(test.db);
      await expect(
        test.db
          .updateTable('runs')
          .set({ status: 'paused' as never })
          .where('id', '=', runId)
          .execute(),
      ).rejects.toThrow(/runs_status_check/);
      const route = () =>
        test.db
          .insertInto('webhook_endpoints')
          .values({ workflow_id: workflowId, version_id: versionId, node_id: 'hook', path: 'orders', method: 'POST' })
          .execute();
      await route();
      await expect(route()).rejects.toThrow(/webhook_endpoints_method_path_key/);
    } finally {
      await test.drop();
    }
  });

  it('delete a workflow with everything that hangs off it', async () => {
    const test = await createTestDatabase(url);
    try {
      const { workflowId, runId } = await seedWorkflow(test.db);
      await test.db
        .updateTable('workflows')
        .set({ active_version_id: sql`current_version_id` as never })
        .execute();
      await test.db
        .insertInto('step_attempts')
        .values({ run_id: runId, step_id: 'a', attempt: 1, status: 'failed', node_type: 'x' })
        .execute();
      await test.db.insertInto('dead_letters').values({ run_id: runId, reason: 'crashed 3 times' }).execute();
      await test.db.deleteFrom('workflows').where('id', '=', workflowId).execute();
      for (const table of ['runs', 'step_attempts', 'dead_letters', 'workflow_versions'] as const) {
        const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(test.db);
        expect(rows[0]?.n, table).toBe(0);
      }
    } finally {
      await test.drop();
    }
  });
});
