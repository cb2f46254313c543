import type { Kysely } from 'kysely';
import { DEFAULT_WORKSPACE_ID, type Database } from '../schema.ts';
import { jsonb } from '../jsonb.ts';

/** Inserts a workflow with one (empty) version, for tests that need rows to hang runs on. */
export async function insertTestWorkflow(db: Kysely<Database>): Promise<{ workflowId: string; versionId: string }> {
  const workflow = await db
    .insertInto('workflows')
    .values({ workspace_id: DEFAULT_WORKSPACE_ID, name: 'wf' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const version = await db
    .insertInto('workflow_versions')
    .values({ workflow_id: workflow.id, version: 1, graph: jsonb({ nodes: [] }), ir: jsonb({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { workflowId: workflow.id, versionId: version.id };
}
