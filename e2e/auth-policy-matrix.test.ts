import { randomUUID } from 'node:crypto';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { appRouter, PROCEDURE_ACTIONS } from '@apiq/api';
import { startApiTestServer, type ApiTestServer } from '@apiq/api/testing';
import {
  authDb,
  createApiToken,
  createSession,
  createWorkspace,
  POLICY,
  type Action,
  type AuthDb,
  type Role,
} from '@apiq/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every tRPC procedure, called as every role, as an API token with narrow scopes, signed out, and
 * as a member of another workspace (IDOR), checked against the one policy table.
 */
const procedures = Object.entries(
  (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def.procedures,
).map(([path, p]) => ({ path, type: p._def.type }));

interface Who {
  cookie?: string;
  token?: string;
  workspace?: string;
}

let api: ApiTestServer;
let db: AuthDb;
const sessions: Partial<Record<Role | 'outsider', string>> = {};
let outsiderWorkspace = '';
const fixtures = { workflowId: '', versionId: '', runId: '', connectionId: '' };

/** A tRPC answer as JSON: tests read into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = any;

async function call(path: string, type: string, who: Who, input?: unknown): Promise<{ status: number; body: Answer }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (who.cookie) headers.cookie = `apiq_session=${who.cookie}`;
  if (who.token) headers.authorization = `Bearer ${who.token}`;
  if (who.workspace) headers['x-apiq-workspace'] = who.workspace;
  const url = new URL(`/api/trpc/${path}`, api.baseUrl);
  let res: Response;
  if (type === 'query') {
    if (input !== undefined) url.searchParams.set('input', JSON.stringify(input));
    res = await fetch(url, { headers });
  } else {
    res = await fetch(url, { method: 'POST', headers, body: input === undefined ? undefined : JSON.stringify(input) });
  }
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function user(email: string): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({ email, password_hash: 'not-used' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  api = await startApiTestServer(testServers()[0]!.url, { executor: false });
  db = authDb(api.engine.db);
  for (const role of ['owner', 'admin', 'editor', 'viewer'] as const) {
    const id = await user(`${role}@example.com`);
    await db.insertInto('memberships').values({ workspace_id: DEFAULT_WORKSPACE_ID, user_id: id, role }).execute();
    sessions[role] = (await createSession(db, id)).token;
  }
  const outsider = await user('outsider@example.com');
  outsiderWorkspace = (await createWorkspace(db, { userId: outsider, label: 'outsider' }, 'Elsewhere')).id;
  sessions.outsider = (await createSession(db, outsider)).token;

  // Fixtures in the default workspace, made through the API as its owner.
  const owner: Who = { cookie: sessions.owner! };
  const created = await call('workflows.create', 'mutation', owner, {
    name: 'Fixture',
    graph: {
      name: 'Fixture',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'done', type: 'core.no_op' },
      ],
      edges: [{ source: 'start', target: 'done' }],
    },
  });
  expect(created.status).toBe(200);
  fixtures.workflowId = created.body.result.data.workflowId ?? created.body.result.data.id;
  fixtures.versionId = created.body.result.data.versionId;
  const run = await call('runs.start', 'mutation', owner, { workflowId: fixtures.workflowId });
  fixtures.runId = run.body.result.data.runId;
  const conn = await call('connections.create', 'mutation', owner, {
    name: 'Fixture API',
    kind: 'http_bearer',
    values: { token: 'fixture-token-value' },
  });
  fixtures.connectionId = conn.body.result.data.id;
});

afterAll(() => api?.close());

const denied = (status: number) => status === 401 || status === 403;

describe('the policy table', () => {
  it('covers every procedure', () => {
    const missing = procedures.filter((p) => !(p.path in PROCEDURE_ACTIONS)).map((p) => p.path);
    expect(missing).toEqual([]);
  });
});

describe('roles × procedures', () => {
  for (const role of ['owner', 'admin', 'editor', 'viewer'] as const) {
    it(`${role}: allowed exactly what the policy allows`, async () => {
      const wrong: string[] = [];
      for (const p of procedures) {
        const action = PROCEDURE_ACTIONS[p.path];
        const expected = action === 'public' || POLICY[role].has(action as Action);
        // Input that names nothing real: allowed calls fail validation or find nothing; nothing is changed.
        const r = await call(p.path, p.type, { cookie: sessions[role]! }, { id: randomUUID() });
        if (denied(r.status) === expected)
          wrong.push(`${p.path}: expected ${expected ? 'allowed' : 'denied'}, got ${r.status}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('signed out: everything but health is 401 once accounts exist', async () => {
    const wrong: string[] = [];
    for (const p of procedures) {
      const r = await call(p.path, p.type, {}, { id: randomUUID() });
      const expected = PROCEDURE_ACTIONS[p.path] === 'public' ? 200 : 401;
      if ((r.status === 401) !== (expected === 401)) wrong.push(`${p.path}: ${r.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('an API token acts within its scopes only', async () => {
    const owner = (
      await db.selectFrom('users').select('id').where('email', '=', 'owner@example.com').executeTakeFirstOrThrow()
    ).id;
    const { token } = await createApiToken(
      db,
      { userId: owner, label: 'owner' },
      {
        workspaceId: DEFAULT_WORKSPACE_ID,
        name: 'reader',
        scopes: ['workflows:read'],
      },
    );
    const list = await call('workflows.list', 'query', { token });
    expect(list.status).toBe(200);
    expect(list.body.result.data.map((w: { id: string }) => w.id)).toContain(fixtures.workflowId);
    const write = await call('workflows.rename', 'mutation', { token }, { id: fixtures.workflowId, name: 'Renamed' });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain('scopes (workflows:read) do not allow workflow.write');
  });
});

describe('another workspace (IDOR)', () => {
  it('refuses a member of another workspace who names this one', async () => {
    const wrong: string[] = [];
    for (const p of procedures) {
      if (PROCEDURE_ACTIONS[p.path] === 'public') continue;
      const r = await call(
        p.path,
        p.type,
        { cookie: sessions.outsider!, workspace: DEFAULT_WORKSPACE_ID },
        {
          id: fixtures.workflowId,
        },
      );
      if (r.status !== 404) wrong.push(`${p.path}: ${r.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('never reaches this workspace’s objects by id from the other workspace', async () => {
    const outsider: Who = { cookie: sessions.outsider!, workspace: outsiderWorkspace };
    const attempts: Array<[string, string, unknown]> = [
      ['workflows.get', 'query', { id: fixtures.workflowId }],
      ['workflows.versions', 'query', { id: fixtures.workflowId }],
      ['workflows.version', 'query', { versionId: fixtures.versionId }],
      ['workflows.export', 'query', { id: fixtures.workflowId }],
      ['workflows.triggerInfo', 'query', { id: fixtures.workflowId }],
      ['workflows.rename', 'mutation', { id: fixtures.workflowId, name: 'Hijacked' }],
      ['workflows.setActive', 'mutation', { id: fixtures.workflowId, active: true }],
      ['workflows.delete', 'mutation', { id: fixtures.workflowId }],
      ['runs.start', 'mutation', { workflowId: fixtures.workflowId }],
      ['runs.get', 'query', { id: fixtures.runId }],
      ['runs.cancel', 'mutation', { id: fixtures.runId }],
      ['connections.get', 'query', { id: fixtures.connectionId }],
      ['connections.update', 'mutation', { id: fixtures.connectionId, name: 'Hijacked' }],
      ['connections.delete', 'mutation', { id: fixtures.connectionId }],
    ];
    const leaks: string[] = [];
    for (const [path, type, input] of attempts) {
      const r = await call(path, type, outsider, input);
      if (r.status !== 404 && r.status !== 403)
        leaks.push(`${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    expect(leaks).toEqual([]);

    // Naming this workspace's connection in a workflow of the other workspace saves only a draft.
    const theirs = await call('workflows.create', 'mutation', outsider, {
      name: 'Borrowing',
      graph: {
        name: 'Borrowing',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          {
            id: 'call',
            type: 'core.http_request',
            params: { url: 'https://api.example.com/' },
            credentials: { http_bearer: fixtures.connectionId },
          },
        ],
        edges: [{ source: 'start', target: 'call' }],
      },
    });
    expect(theirs.status).toBe(200);
    expect(theirs.body.result.data.saved).toBe('draft');
    expect(theirs.body.result.data.issues).toContainEqual(
      expect.objectContaining({ path: 'nodes[1].credentials.http_bearer', nodeId: 'call' }),
    );
    const owner: Who = { cookie: sessions.owner! };
    const still = await call('workflows.get', 'query', owner, { id: fixtures.workflowId });
    expect(still.body.result.data.name).toBe('Fixture');
    const conn = await call('connections.get', 'query', owner, { id: fixtures.connectionId });
    expect(conn.body.result.data.name).toBe('Fixture API');
  });
});
