import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { createApiqServer, type ApiqServer, type CredentialResolver } from '@apiq/runtime';
import { readRun, startTestEngine, type TestEngine } from '@apiq/runtime/testing';

// Signatures are computed here from each provider's documented scheme, not with the connectors' helpers.
const hex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
const now = () => Math.floor(Date.now() / 1000);
/** GitHub: `X-Hub-Signature-256: sha256=<HMAC of the body>`. */
const signGitHubBody = (secret: string, body: string) => `sha256=${hex(secret, body)}`;
/** Slack: `X-Slack-Signature: v0=<HMAC of "v0:<ts>:<body>">` with `X-Slack-Request-Timestamp: <ts>`. */
const signSlackBody = (secret: string, body: string, ts = now()) => ({
  'x-slack-signature': `v0=${hex(secret, `v0:${ts}:${body}`)}`,
  'x-slack-request-timestamp': String(ts),
});
/** Stripe: `Stripe-Signature: t=<ts>,v1=<HMAC of "<ts>.<body>">`. */
const signWebhookBody = (secret: string, body: string, ts = now()) => `t=${ts},v1=${hex(secret, `${ts}.${body}`)}`;

// Connector triggers over real HTTP on a real engine: GitHub, Slack and Stripe deliveries are
// verified with the trigger's credentials (through the server's credential resolver), wrongly
// signed ones get 401 and start nothing, redeliveries start no second run, handshakes are
// answered without a run, and accepted deliveries run with the connector's trigger output.
describe('app webhook triggers', () => {
  const server = testServers()[0]!;
  const githubSecret = 'github-webhook-secret-0123456789';
  const slackSecret = '8f742231b10e8888abcd99yyyzzz85a5';
  const stripeSecret = 'whsec_test_0123456789abcdef';
  const ids = { github: randomUUID(), slack: randomUUID(), stripe: randomUUID() };
  const vault: Record<string, Record<string, string>> = {
    [ids.github]: { token: 'github_pat_x', webhookSecret: githubSecret },
    [ids.slack]: { botToken: 'xoxb-x', signingSecret: slackSecret },
    [ids.stripe]: { secretKey: 'sk_test_x', webhookSigningSecret: stripeSecret },
  };
  const resolved: Array<{ workspaceId: string; refs: Record<string, string> }> = [];
  let engine: TestEngine;
  let web: ApiqServer;
  let base = '';
  const workflows: Record<string, string> = {};

  // Stands in for the vault's resolver (the injection point), over plain values.
  const resolveCredentials: CredentialResolver = async (workspaceId, refs) => {
    resolved.push({ workspaceId, refs });
    const out: Record<string, Record<string, string>> = {};
    for (const [kind, id] of Object.entries(refs)) {
      const values = vault[id];
      if (!values) throw new Error(`credential ${id} does not exist`);
      out[kind] = values;
    }
    return out;
  };

  beforeAll(async () => {
    engine = await startTestEngine(server.url, { executor: { resolveCredentials } });
    web = await createApiqServer({
      db: engine.db,
      pool: engine.opened.pool,
      catalog: engine.catalog,
      resolveCredentials,
    });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
    const save = async (name: string, type: string, kind: keyof typeof ids, params: Record<string, unknown>) => {
      const saved = await engine.save(
        { name, nodes: [{ id: 'hook', type, params, credentials: { [kind]: ids[kind] } }], edges: [] },
        { activate: true },
      );
      workflows[name] = saved.workflowId;
    };
    await save('github issues', 'github.issue_opened', 'github', {});
    await save('slack mentions', 'slack.on_event', 'slack', { eventTypes: ['app_mention'] });
    await save('stripe payments', 'stripe.on_event', 'stripe', { eventTypes: ['payment_intent.*'] });
  });

  afterAll(async () => {
    await web?.close();
    await engine?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${base}/webhook/${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const runsOf = async (name: string) =>
    engine.db.selectFrom('runs').select(['id']).where('workflow_id', '=', workflows[name]!).execute();
  async function finishedTriggerOutput(runId: string): Promise<unknown> {
    const event = await engine.waitFor(runId, ['finished']);
    expect(event?.status).toBe('succeeded');
    const run = await readRun(engine.opened, runId);
    return run.byStep['hook']?.output;
  }

  describe('GitHub', () => {
    const opened = JSON.stringify({
      action: 'opened',
      issue: { number: 42, title: 'Checkout fails', user: { login: 'octocat' } },
      repository: { full_name: 'octocat/hello-world' },
      sender: { login: 'octocat' },
    });
    const headers = (body: string, delivery: string, event = 'issues') => ({
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': signGitHubBody(githubSecret, body),
      'user-agent': 'GitHub-Hookshot/abc123',
    });

    it('starts one run per delivery with the issue as trigger output, and dedupes a redelivery', async () => {
      const res = await post('github/issues', opened, headers(opened, 'd-1'));
      expect(res.status).toBe(200);
      const { runId } = (await res.json()) as { runId: string };
      expect(await finishedTriggerOutput(runId)).toMatchObject({
        event: 'issues',
        deliveryId: 'd-1',
        action: 'opened',
        issue: { number: 42, title: 'Checkout fails' },
        repository: { full_name: 'octocat/hello-world' },
      });
      const { workspace_id } = await engine.db
        .selectFrom('workflows')
        .select('workspace_id')
        .where('id', '=', workflows['github issues']!)
        .executeTakeFirstOrThrow();
      expect(resolved).toContainEqual({ workspaceId: workspace_id, refs: { github: ids.github } });

      const again = await post('github/issues', opened, headers(opened, 'd-1'));
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(((await again.json()) as { runId: string }).runId).toBe(runId);
      expect(await runsOf('github issues')).toHaveLength(1);
    });

    it('refuses a wrong or missing signature with 401 and starts nothing', async () => {
      const before = (await runsOf('github issues')).length;
      const forged = await post('github/issues', opened, {
        ...headers(opened, 'd-2'),
        'x-hub-signature-256': signGitHubBody('not-the-secret-at-all', opened),
      });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toEqual({
        error: 'bad_signature',
        message: expect.stringMatching(/X-Hub-Signature-256 signature does not match the body/),
      });
      const unsigned = await post('github/issues', opened, { 'x-github-event': 'issues', 'x-github-delivery': 'd-3' });
      expect(unsigned.status).toBe(401);
      expect(((await unsigned.json()) as { message: string }).message).toMatch(/header is missing/);
      expect(await runsOf('github issues')).toHaveLength(before);
    });

    it('answers ping and ignores other actions without a run', async () => {
      const before = (await runsOf('github issues')).length;
      const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 });
      const pong = await post('github/issues', ping, headers(ping, 'd-4', 'ping'));
      expect(pong.status).toBe(200);
      expect(await pong.json()).toMatchObject({ ok: true });
      const closed = opened.replace('"opened"', '"closed"');
      const ignored = await post('github/issues', closed, headers(closed, 'd-5'));
      expect(ignored.status).toBe(200);
      expect(await ignored.json()).toMatchObject({ status: 'ignored' });
      expect(await runsOf('github issues')).toHaveLength(before);
    });
  });

  describe('Slack', () => {
    it('answers the url_verification challenge without a run', async () => {
      const body = JSON.stringify({ token: 'legacy', challenge: 'c-3eZbrw1aBm2rZgRNFdxV', type: 'url_verification' });
      const res = await post('slack/events', body, signSlackBody(slackSecret, body));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: 'c-3eZbrw1aBm2rZgRNFdxV' });
      expect(await runsOf('slack mentions')).toHaveLength(0);
    });

    it('runs for a signed app_mention once per event_id, and refuses a replayed timestamp', async () => {
      const event = {
        type: 'app_mention',
        user: 'U0ALICE',
        text: '<@U0APIQ> deploy',
        channel: 'C0001',
        ts: '1767225600.0001',
      };
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: 'T0001',
        api_app_id: 'A0APIQ',
        event,
        type: 'event_callback',
        event_id: 'Ev0MENTION1',
        event_time: 1767225600,
      });
      const res = await post('slack/events', body, signSlackBody(slackSecret, body));
      expect(res.status).toBe(200);
      const { runId } = (await res.json()) as { runId: string };
      const output = await finishedTriggerOutput(runId);
      expect(output).toEqual({
        eventId: 'Ev0MENTION1',
        eventTime: 1767225600,
        teamId: 'T0001',
        apiAppId: 'A0APIQ',
        event,
      });
      const retry = await post('slack/events', body, { ...signSlackBody(slackSecret, body), 'x-slack-retry-num': '1' });
      expect(((await retry.json()) as { runId: string }).runId).toBe(runId);

      const stale = await post(
        'slack/events',
        body,
        signSlackBody(slackSecret, body, Math.floor(Date.now() / 1000) - 600),
      );
      expect(stale.status).toBe(401);
      expect(((await stale.json()) as { message: string }).message).toMatch(/more than the allowed 300s/);
      expect(await runsOf('slack mentions')).toHaveLength(1);
    });
  });

  describe('Stripe', () => {
    const event = (id: string, type: string) =>
      JSON.stringify({
        id,
        object: 'event',
        api_version: '2024-06-20',
        created: 1767225600,
        type,
        livemode: false,
        data: { object: { id: 'pi_1', object: 'payment_intent', amount: 2000, currency: 'eur', status: 'succeeded' } },
      });

    it('runs for a signed event once per event id, with the event as trigger output', async () => {
      const body = event('evt_1', 'payment_intent.succeeded');
      const res = await post('stripe/events', body, { 'stripe-signature': signWebhookBody(stripeSecret, body) });
      expect(res.status).toBe(200);
      const { runId } = (await res.json()) as { runId: string };
      expect(await finishedTriggerOutput(runId)).toEqual(JSON.parse(body));
      const redelivered = await post('stripe/events', body, {
        'stripe-signature': signWebhookBody(stripeSecret, body),
      });
      expect(((await redelivered.json()) as { runId: string }).runId).toBe(runId);
      expect(await runsOf('stripe payments')).toHaveLength(1);
    });

    it('refuses a bad signature and ignores event types the trigger does not take', async () => {
      const body = event('evt_2', 'payment_intent.payment_failed');
      const forged = await post('stripe/events', body, {
        'stripe-signature': signWebhookBody('whsec_attacker_guess', body),
      });
      expect(forged.status).toBe(401);
      expect(((await forged.json()) as { message: string }).message).toMatch(
        /^Stripe-Signature: the signature does not match/,
      );
      const other = event('evt_3', 'customer.created');
      const ignored = await post('stripe/events', other, { 'stripe-signature': signWebhookBody(stripeSecret, other) });
      expect(ignored.status).toBe(200);
      expect(await ignored.json()).toMatchObject({ status: 'ignored' });
      expect(await runsOf('stripe payments')).toHaveLength(1);
    });
  });

  it('answers 503 and starts nothing when the web server cannot read credentials', async () => {
    const bare = await createApiqServer({ db: engine.db, pool: engine.opened.pool, catalog: engine.catalog });
    try {
      const url = `http://127.0.0.1:${await bare.listen(0, '127.0.0.1')}/webhook/stripe/events`;
      const body = event4();
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'stripe-signature': signWebhookBody(stripeSecret, body) },
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toMatch(/no credential resolver configured/);
      expect(await runsOf('stripe payments')).toHaveLength(1);
    } finally {
      await bare.close();
    }
  });

  function event4(): string {
    return JSON.stringify({ id: 'evt_4', object: 'event', type: 'payment_intent.succeeded', data: { object: {} } });
  }
});
