import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { Poller, type CredentialResolver } from '@apiq/runtime';
import { readRun, startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { startLocalGitHubApi, type LocalGitHubApi } from '@apiq/node-github/testing';

// The GitHub polling trigger on the real poller and engine, against a local server speaking the
// GitHub REST API: activation's first poll only records what exists, each later issue starts
// exactly one run with the issue as trigger output, and the cursor lives in the trigger's state.
describe('GitHub polling trigger', () => {
  const server = testServers()[0]!;
  const token = 'github_pat_polling_0123456789';
  const credentialId = randomUUID();
  let api: LocalGitHubApi;
  let engine: TestEngine;
  let poller: Poller;
  let workflowId = '';
  let allowBefore: string | undefined;
  const resolveCredentials: CredentialResolver = async (_workspaceId, refs) => {
    if (refs.github !== credentialId) throw new Error(`credential ${refs.github} does not exist`);
    return { github: { token, baseUrl: api.origin } };
  };

  beforeAll(async () => {
    allowBefore = process.env.APIQ_HTTP_ALLOW;
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    api = await startLocalGitHubApi({ token, repositories: ['acme/shop'] });
    engine = await startTestEngine(server.url, { executor: { resolveCredentials } });
    poller = new Poller({ db: engine.db, pool: engine.opened.pool, catalog: engine.catalog, resolveCredentials });
    const saved = await engine.save(
      {
        name: 'new shop issues',
        nodes: [
          {
            id: 'watch',
            type: 'github.new_issue_or_pull_request_polling',
            params: { repository: 'acme/shop', watch: 'issues', intervalSeconds: 3600 },
            credentials: { github: credentialId },
          },
        ],
        edges: [],
      },
      { activate: true },
    );
    workflowId = saved.workflowId;
  });

  afterAll(async () => {
    await poller?.stop();
    await engine?.close();
    await api?.close();
    if (allowBefore === undefined) delete process.env.APIQ_HTTP_ALLOW;
    else process.env.APIQ_HTTP_ALLOW = allowBefore;
  });

  const runsOf = () =>
    engine.db.selectFrom('runs').select(['id']).where('workflow_id', '=', workflowId).orderBy('created_at').execute();

  it('skips existing issues, then starts one run per new issue', async () => {
    api.addIssue('acme/shop', { title: 'Existing before activation' });
    const first = await poller.pollOnce(workflowId);
    expect(first).toEqual({ status: 'polled', runIds: [], stateChanged: true });
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);

    api.addIssue('acme/shop', { title: 'Refund button broken' });
    api.addIssue('acme/shop', { title: 'Typo on checkout', pullRequest: true });
    const second = await poller.pollOnce(workflowId);
    expect(second).toMatchObject({ status: 'polled', runIds: [expect.any(String)] });
    const runId = (second as { runIds: string[] }).runIds[0]!;
    expect((await engine.waitFor(runId, ['finished']))?.status).toBe('succeeded');
    expect((await readRun(engine.opened, runId)).byStep['watch']?.output).toMatchObject({
      event: 'issues',
      action: 'opened',
      issue: { title: 'Refund button broken', number: 2 },
      repository: { full_name: 'acme/shop' },
    });

    expect(await poller.pollOnce(workflowId)).toMatchObject({ status: 'polled', runIds: [] });
    expect(await runsOf()).toHaveLength(1);
    const state = await engine.db
      .selectFrom('node_state')
      .select('state')
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(state.state).toMatchObject({
      since: expect.any(String),
      seen: expect.arrayContaining([expect.any(String)]),
    });
  });

  it('fails the poll with a clear error when GitHub refuses the token, and starts nothing', async () => {
    api.failNext(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const outcome = await poller.pollOnce(workflowId);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { kind: 'fatal', message: expect.stringMatching(/answered 401: Bad credentials; check the token/) },
    });
    expect(await runsOf()).toHaveLength(1);
  });
});
