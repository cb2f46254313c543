import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { setRetentionSettings } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from './testing/harness.ts';
import { Maintenance } from './maintenance.ts';

describe.each(testServers())('maintenance on $name', ({ url }) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(url, { executor: false });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('prunes runs beyond the retention policy once per period across instances', async () => {
    const saved = await engine.save({ name: 'kept', nodes: [{ id: 'start', type: 'core.manual_trigger' }], edges: [] });
    await sql`
      insert into runs (workspace_id, workflow_id, version_id, status, trigger_kind, trigger_payload, finished_at)
      select w.workspace_id, w.id, ${saved.versionId}, 'succeeded', 'manual', '{}'::jsonb, now() - (g || ' minutes')::interval
      from workflows w, generate_series(1, 5) g where w.id = ${saved.workflowId}`.execute(engine.db);
    await setRetentionSettings(engine.db, { maxAgeDays: 30, maxRunsPerWorkflow: 2 });
    await sql`insert into executors (id, hostname, pid, heartbeat_at) values
      ('gone', 'h', 1, now() - interval '2 days'), ('alive', 'h', 2, now())`.execute(engine.db);
    const a = new Maintenance({ db: engine.db });
    const b = new Maintenance({ db: engine.db });
    const [ra, rb] = await Promise.all([a.runIfDue(), b.runIfDue()]);
    expect([ra, rb].filter(Boolean)).toHaveLength(1);
    expect((ra ?? rb)?.runs).toBe(3);
    expect((ra ?? rb)?.executors).toBe(1);
    const executors = await engine.db.selectFrom('executors').select('id').execute();
    expect(executors.map((e) => e.id)).toEqual(['alive']);
    const left = await engine.db
      .selectFrom('runs')
      .select('finished_at')
      .where('workflow_id', '=', saved.workflowId)
      .execute();
    expect(left).toHaveLength(2);
    expect(await a.runIfDue()).toBeUndefined();
  });
});
