import { createSafeFetch } from '@apiq/http';
import {
  checkDefinition,
  FatalError,
  paramsJsonSchema,
  RateLimitedError,
  RetryableError,
  type Json,
  type NodeDefinition,
  type WebhookDelivery,
} from '@apiq/sdk';
import { rejectionOf, runNode, testContext } from '@apiq/sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createComment,
  createIssue,
  getRepository,
  githubApiCall,
  githubCredential,
  githubIssueOpened,
  githubNewItemsPolling,
  githubOnEvent,
  githubPullRequestOpened,
  listPullRequests,
  signGitHubBody,
} from './index.ts';
import { startLocalGitHubApi, type LocalGitHubApi } from './local-github-api.ts';

const TOKEN = 'github_pat_test_0123456789';
const REPO = 'octocat/hello-world';
let api: LocalGitHubApi;
const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });

beforeAll(async () => {
  api = await startLocalGitHubApi({ token: TOKEN, repositories: [REPO] });
});
afterAll(async () => {
  await api.close();
  fetch.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const credentials = () => ({ github: { token: TOKEN, baseUrl: api.origin } });
async function output(def: NodeDefinition, params: unknown, creds = credentials()): Promise<Json> {
  const { result } = await runNode(def, { params, fetch, credentials: creds });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output;
}

describe('GitHub definitions', () => {
  it('are valid, searchable and declare the github credential', () => {
    const defs = [
      createIssue,
      createComment,
      listPullRequests,
      getRepository,
      githubApiCall,
      githubOnEvent,
      githubIssueOpened,
      githubPullRequestOpened,
      githubNewItemsPolling,
    ];
    for (const def of defs) {
      expect(checkDefinition(def)).toEqual([]);
      expect(def.credentials[0]?.kind).toBe('github');
      expect(def.keywords).toContain('github');
    }
    expect(githubCredential.secret).toEqual(['token', 'webhookSecret']);
    expect(paramsJsonSchema(githubIssueOpened)).toMatchObject({
      properties: { path: { default: 'github/issues' }, actions: { default: ['opened'] } },
    });
  });

  it('reports a bad repository name with the param and an example', () => {
    const issue = createIssue.params.safeParse({ repository: 'https://github.com/octocat', title: 'x' }).error
      ?.issues[0];
    expect(issue?.path).toEqual(['repository']);
    expect(issue?.message).toMatch(/"owner\/name", e\.g\. "octocat\/hello-world"/);
  });
});

describe('github.create_issue', () => {
  it('posts the issue as JSON with the token and GitHub headers, and returns GitHub’s issue', async () => {
    const issue = (await output(createIssue, {
      repository: REPO,
      title: 'Checkout fails',
      body: 'Steps to reproduce…',
      labels: ['bug'],
      assignees: ['octocat'],
    })) as Record<string, Json>;
    const req = api.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/repos/octocat/hello-world/issues');
    expect(req.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    });
    expect(req.headers['user-agent']).toBeTruthy();
    expect(JSON.parse(req.body)).toEqual({
      title: 'Checkout fails',
      body: 'Steps to reproduce…',
      labels: ['bug'],
      assignees: ['octocat'],
    });
    expect(issue).toMatchObject({ title: 'Checkout fails', state: 'open', labels: [{ name: 'bug' }] });
    expect(issue.html_url).toBe(`https://github.com/${REPO}/issues/${String(issue.number)}`);
  });

  it('turns a 422 into a FatalError with GitHub’s validation details', async () => {
    api.failNext(422, {
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', code: 'invalid', field: 'labels', message: 'label "x" does not exist' }],
    });
    const err = await rejectionOf(
      runNode(createIssue, { params: { repository: REPO, title: 'x' }, fetch, credentials: credentials() }),
    );
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toBe(
      'GitHub POST /repos/octocat/hello-world/issues answered 422: Validation Failed (label "x" does not exist)',
    );
  });

  it('says which credential is missing', async () => {
    const err = await rejectionOf(runNode(createIssue, { params: { repository: REPO, title: 'x' }, fetch }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toMatch(/no GitHub credential/);
    expect(api.requests).toHaveLength(0);
  });

  it('points at the token on 401 and at the repository on 404', async () => {
    const bad = await rejectionOf(
      runNode(getRepository, {
        params: { repository: REPO },
        fetch,
        credentials: { github: { token: 'wrong', baseUrl: api.origin } },
      }),
    );
    expect(bad.message).toMatch(/answered 401: Bad credentials; check the token of the GitHub credential/);
    const missing = await rejectionOf(
      runNode(getRepository, { params: { repository: 'octocat/nope' }, fetch, credentials: credentials() }),
    );
    expect(missing).toBeInstanceOf(FatalError);
    expect(missing.message).toMatch(/answered 404: Not Found; check the owner\/repository name/);
  });

  it('maps rate limits to RateLimitedError and 5xx to RetryableError', async () => {
    api.failNext(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '30' });
    const secondary = await rejectionOf<RateLimitedError>(
      runNode(getRepository, { params: { repository: REPO }, fetch, credentials: credentials() }),
    );
    expect(secondary).toBeInstanceOf(RateLimitedError);
    expect(secondary.retryAfterMs).toBe(30_000);

    const reset = Math.floor(Date.now() / 1000) + 120;
    api.failNext(
      403,
      { message: 'API rate limit exceeded for user ID 1.' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    );
    const primary = await rejectionOf<RateLimitedError>(
      runNode(getRepository, { params: { repository: REPO }, fetch, credentials: credentials() }),
    );
    expect(primary).toBeInstanceOf(RateLimitedError);
    expect(primary.retryAfterMs).toBeGreaterThan(100_000);
    expect(primary.retryAfterMs).toBeLessThanOrEqual(120_000);

    api.failNext(502, { message: 'Server Error' });
    const down = await rejectionOf(
      runNode(getRepository, { params: { repository: REPO }, fetch, credentials: credentials() }),
    );
    expect(down).toBeInstanceOf(RetryableError);
  });

  it('refuses a private address when the safe client does not allow it', async () => {
    const strict = createSafeFetch();
    try {
      const err = await rejectionOf(
        runNode(getRepository, { params: { repository: REPO }, fetch: strict, credentials: credentials() }),
      );
      expect(err).toBeInstanceOf(FatalError);
      expect(api.requests).toHaveLength(0);
    } finally {
      strict.close();
    }
  });
});

describe('github.create_comment and github.get_repository', () => {
  it('comments on an issue by number', async () => {
    const issue = api.addIssue(REPO, { title: 'Needs a reply' });
    const comment = (await output(createComment, {
      repository: REPO,
      issueNumber: issue.number,
      body: 'Thanks, looking into it',
    })) as Record<string, Json>;
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      url: `/repos/octocat/hello-world/issues/${issue.number}/comments`,
    });
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ body: 'Thanks, looking into it' });
    expect(comment).toMatchObject({ body: 'Thanks, looking into it', user: { login: 'octocat' } });
  });

  it('reads a repository', async () => {
    const repo = await output(getRepository, { repository: REPO });
    expect(api.requests[0]).toMatchObject({ method: 'GET', url: '/repos/octocat/hello-world' });
    expect(repo).toMatchObject({ full_name: REPO, default_branch: 'main', private: false });
  });
});

describe('github.list_pull_requests', () => {
  beforeAll(() => {
    for (let i = 0; i < 7; i++) api.addIssue(REPO, { title: `PR ${i}`, pullRequest: true });
  });

  it('follows pages up to the limit and returns a cursor that resumes after the last item', async () => {
    const first = (await output(listPullRequests, { repository: REPO, state: 'all', limit: 5 })) as {
      items: Array<{ title: string }>;
      hasMore: boolean;
      nextCursor: string;
      count: number;
    };
    expect(api.requests.map((r) => r.url)).toEqual([
      '/repos/octocat/hello-world/pulls?state=all&sort=created&direction=desc&per_page=5&page=1',
    ]);
    expect(first.items.map((p) => p.title)).toEqual(['PR 6', 'PR 5', 'PR 4', 'PR 3', 'PR 2']);
    expect(first).toMatchObject({ count: 5, hasMore: true });
    const rest = (await output(listPullRequests, {
      repository: REPO,
      state: 'all',
      limit: 5,
      cursor: first.nextCursor,
    })) as { items: Array<{ title: string }>; hasMore: boolean; nextCursor: string | null };
    expect(rest.items.map((p) => p.title)).toEqual(['PR 1', 'PR 0']);
    expect(rest).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it('resumes in the middle of a page when the limit cut one', async () => {
    api.requests.length = 0;
    const all = (await output(listPullRequests, { repository: REPO, state: 'all', limit: 3, cursor: '1:5:2' })) as {
      items: Array<{ title: string }>;
      nextCursor: string;
    };
    expect(all.items.map((p) => p.title)).toEqual(['PR 4', 'PR 3', 'PR 2']);
    expect(all.nextCursor).toBe('2:5:0');
    const err = await rejectionOf(
      runNode(listPullRequests, { params: { repository: REPO, cursor: 'page-2' }, fetch, credentials: credentials() }),
    );
    expect(err.message).toMatch(/cursor "page-2" is not one this node produced/);
  });
});

describe('github.api_call', () => {
  it('calls any endpoint with the credential and returns status, headers and body', async () => {
    const res = (await output(githubApiCall, {
      method: 'GET',
      path: '/repos/octocat/hello-world',
      query: { a: 1 },
    })) as {
      status: number;
      headers: Record<string, string>;
      body: { full_name: string };
    };
    expect(api.requests[0]).toMatchObject({ method: 'GET', url: '/repos/octocat/hello-world?a=1' });
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('5000');
    expect(res.body.full_name).toBe(REPO);
  });

  it('returns error answers when failOnStatus is off, and never leaves the API host', async () => {
    const res = (await output(githubApiCall, { path: '/repos/nobody/nothing', failOnStatus: false })) as {
      status: number;
    };
    expect(res.status).toBe(404);
    expect(githubApiCall.params.safeParse({ path: 'https://evil.example/steal' }).success).toBe(false);
    expect(githubApiCall.params.safeParse({ path: '@evil.example/steal' }).success).toBe(false);
  });
});

describe('GitHub webhook triggers', () => {
  const secret = 'a-webhook-secret-of-some-length';
  const delivery = <P>(event: string, body: Json, params: P, signature?: string): WebhookDelivery<P> => {
    const raw = Buffer.from(JSON.stringify(body));
    return {
      method: 'POST',
      path: 'github/issues',
      query: {},
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-hub-signature-256': signature ?? signGitHubBody(secret, raw),
      },
      rawBody: raw,
      body,
      params,
    };
  };
  const hooks = githubIssueOpened.webhook!;
  const params = githubIssueOpened.params.parse({});
  const opened = { action: 'opened', issue: { number: 1, title: 'Bug' }, repository: { full_name: REPO } };

  it('accepts a correctly signed delivery and rejects a wrong or missing signature or secret', () => {
    expect(
      hooks.verify!(delivery('issues', opened, params), { github: { token: 't', webhookSecret: secret } }),
    ).toEqual({
      ok: true,
    });
    const wrong = hooks.verify!(delivery('issues', opened, params, signGitHubBody('another-secret-value', 'x')), {
      github: { token: 't', webhookSecret: secret },
    });
    expect(wrong).toMatchObject({ ok: false, message: expect.stringMatching(/does not match the body/) });
    const d = delivery('issues', opened, params);
    delete d.headers['x-hub-signature-256'];
    expect(hooks.verify!(d, { github: { token: 't', webhookSecret: secret } })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/X-Hub-Signature-256 header is missing/),
    });
    expect(hooks.verify!(delivery('issues', opened, params), { github: { token: 't' } })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no webhook secret/),
    });
  });

  it('starts runs only for the chosen event and actions, keyed by X-GitHub-Delivery', () => {
    expect(hooks.accept!(delivery('issues', opened, params))).toBe(true);
    expect(hooks.accept!(delivery('issues', { ...opened, action: 'closed' }, params))).toBe(false);
    expect(hooks.accept!(delivery('pull_request', opened, params))).toBe(false);
    expect(hooks.deliveryId!(delivery('issues', opened, params))).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(hooks.output!(delivery('issues', opened, params))).toEqual({
      event: 'issues',
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      ...opened,
    });
    const pr = githubPullRequestOpened.webhook!;
    const prParams = githubPullRequestOpened.params.parse({ actions: ['opened', 'synchronize'] });
    expect(pr.accept!(delivery('pull_request', { action: 'synchronize' }, prParams))).toBe(true);
    const any = githubOnEvent.webhook!;
    const pushOnly = githubOnEvent.params.parse({ events: ['push'] });
    expect(any.accept!(delivery('push', { ref: 'refs/heads/main' }, pushOnly))).toBe(true);
    expect(any.accept!(delivery('issues', opened, pushOnly))).toBe(false);
  });

  it('answers GitHub’s ping and reads form-encoded payloads', () => {
    expect(hooks.handshake!(delivery('ping', { zen: 'Keep it logically awesome.' }, params))).toMatchObject({
      status: 200,
    });
    expect(hooks.handshake!(delivery('issues', opened, params))).toBeUndefined();
    const form = delivery('issues', { payload: JSON.stringify(opened) }, params);
    expect(hooks.accept!(form)).toBe(true);
    expect(hooks.output!(form)).toMatchObject({ issue: { title: 'Bug' } });
  });
});

describe('github.new_issue_or_pull_request_polling', () => {
  const POLL_REPO = 'octocat/polled';
  let polled: LocalGitHubApi;
  beforeAll(async () => {
    polled = await startLocalGitHubApi({ token: TOKEN, repositories: [POLL_REPO] });
  });
  afterAll(() => polled.close());

  async function poll(params: unknown, state: Json | undefined) {
    const ctx = testContext(githubNewItemsPolling.params.parse(params), {
      fetch,
      credentials: { github: { token: TOKEN, baseUrl: polled.origin } },
      ...(state === undefined ? {} : { state }),
    });
    return githubNewItemsPolling.poll!(ctx);
  }

  it('skips what exists at the first poll, then returns each new item once, oldest first', async () => {
    polled.addIssue(POLL_REPO, { title: 'old issue' });
    polled.addIssue(POLL_REPO, { title: 'old PR', pullRequest: true });
    const first = await poll({ repository: POLL_REPO, watch: 'both' }, undefined);
    expect(first.items).toEqual([]);
    expect(polled.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/repos/octocat/polled/issues',
      '/repos/octocat/polled/pulls',
    ]);

    polled.addIssue(POLL_REPO, { title: 'new issue' });
    polled.addIssue(POLL_REPO, { title: 'new PR', pullRequest: true });
    const second = await poll({ repository: POLL_REPO, watch: 'both' }, first.cursor);
    expect(second.items).toEqual([
      expect.objectContaining({
        event: 'issues',
        action: 'opened',
        issue: expect.objectContaining({ title: 'new issue' }),
      }),
      expect.objectContaining({
        event: 'pull_request',
        pull_request: expect.objectContaining({ title: 'new PR' }),
        repository: { full_name: POLL_REPO },
      }),
    ]);
    const third = await poll({ repository: POLL_REPO, watch: 'both' }, second.cursor);
    expect(third.items).toEqual([]);
  });

  it('follows pages when many items arrived between polls, and lists issues without pull requests', async () => {
    const start = await poll({ repository: POLL_REPO, watch: 'issues' }, undefined);
    for (let i = 0; i < 60; i++) polled.addIssue(POLL_REPO, { title: `burst ${i}`, pullRequest: i % 10 === 0 });
    polled.requests.length = 0;
    const next = await poll({ repository: POLL_REPO, watch: 'issues' }, start.cursor);
    const titles = next.items.map((i) => (i as { issue: { title: string } }).issue.title);
    expect(titles).toHaveLength(54);
    expect(titles[0]).toBe('burst 1');
    expect(titles.at(-1)).toBe('burst 59');
    expect(polled.requests.length).toBeGreaterThanOrEqual(2);
    expect(polled.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
