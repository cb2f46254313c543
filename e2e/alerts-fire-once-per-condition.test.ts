import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createMailer } from '@apiq/auth';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { createSafeFetch } from '@apiq/http';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { startLocalSlackApi, type LocalSlackApi } from '@apiq/node-slack/testing';
import {
  AlertEvaluator,
  createInvoker,
  alertHistory,
  createAlertRule,
  muteAlertRule,
  type SavedVersion,
} from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { createConnection, createCredentialResolver, generateMasterKey, openVault } from '@apiq/vault';

const BOT_TOKEN = 'xoxb-alerts-bot-token-0123456789';

interface Mail {
  to: string;
  raw: string;
}

async function startSmtpServer(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// Rules against real runs, delivered to a real Slack-speaking server, a webhook receiver and an
// SMTP server: each condition fires once while it holds, again only after it resolved; muted
// rules record without delivering.
describe('alert rules fire once per condition', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let api: LocalServer;
  let receiver: LocalServer;
  let incoming: LocalServer;
  let slack: LocalSlackApi;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let alerts: AlertEvaluator;
  let flaky: SavedVersion;
  let slackConnection = '';

  beforeAll(async () => {
    api = await startLocalServer((req, res) => {
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    receiver = await startLocalServer((_req, res) => {
      res.end('ok');
    });
    incoming = await startLocalServer((_req, res) => {
      res.end('ok');
    });
    slack = await startLocalSlackApi({
      botToken: BOT_TOKEN,
      channels: [{ id: 'C0ALERTS', name: 'alerts', is_private: false, is_archived: false, is_member: true }],
    });
    smtp = await startSmtpServer();
    engine = await startTestEngine(server.url, { executor: false });
    const vault = await openVault({
      db: engine.db,
      env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') },
    });
    const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });
    slackConnection = (
      await createConnection({ db: engine.db, vault, catalog: engine.catalog, fetch }, DEFAULT_WORKSPACE_ID, {
        name: 'Alerts bot',
        kind: 'slack',
        values: { botToken: BOT_TOKEN, baseUrl: slack.origin },
      })
    ).id;
    alerts = new AlertEvaluator({
      db: engine.db,
      fetch,
      mailer: createMailer({
        db: engine.db as never,
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        log: () => {},
      }),
      resolveCredentials: createCredentialResolver({ db: engine.db, vault, catalog: engine.catalog }),
      publicUrl: 'https://apiq.example.com',
    });
    flaky = await engine.save({
      name: 'Sync orders',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'fetch_orders', type: 'core.http_request', params: { url: { kind: 'expr', src: '$trigger.url' } } },
      ],
      edges: [{ source: 'start', target: 'fetch_orders' }],
    });
    // The HTTP node reaches the local API through the executor's client: open loopback for it.
    await engine.startExecutor({ invoker: createInvoker({ catalog: engine.catalog, fetch }) });
  });

  afterAll(async () => {
    await alerts?.stop();
    await engine?.close();
    await Promise.all([api?.close(), receiver?.close(), incoming?.close(), slack?.close(), smtp?.close()]);
  });

  const run = async (ok: boolean) => {
    const result = await engine.run(flaky, { url: `${api.origin}${ok ? '/orders' : '/missing'}` });
    expect(result.status).toBe(ok ? 'succeeded' : 'failed');
    return result.runId;
  };

  it('delivers a failed run once to webhook, Slack (bot and incoming webhook) and email, and again only after a success', async () => {
    const rule = await createAlertRule(engine.db, DEFAULT_WORKSPACE_ID, {
      name: 'Orders sync failed',
      workflowId: flaky.workflowId,
      condition: { kind: 'run_failed' },
      channels: [
        { type: 'webhook', target: `${receiver.origin}/apiq-alerts` },
        { type: 'slack', target: 'C0ALERTS', connectionId: slackConnection },
        { type: 'slack', target: `${incoming.origin}/services/T000/B000/XXX` },
        { type: 'email', target: 'ops@example.com' },
      ],
    });
    await run(true);
    expect((await alerts.evaluate()).fired).toEqual([]);

    const failedRun = await run(false);
    const first = await alerts.evaluate();
    expect(first.fired).toEqual([
      {
        ruleId: rule.id,
        subject: flaky.workflowId,
        muted: false,
        deliveries: [
          { type: 'webhook', target: `${receiver.origin}/apiq-alerts`, ok: true },
          { type: 'slack', target: 'C0ALERTS', ok: true },
          { type: 'slack', target: `${incoming.origin}/services/T000/B000/XXX`, ok: true },
          { type: 'email', target: 'ops@example.com', ok: true },
        ],
      },
    ]);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
      type: 'apiq.alert',
      rule: { id: rule.id, name: 'Orders sync failed', kind: 'run_failed', workflowId: flaky.workflowId },
      details: { runId: failedRun, workflowName: 'Sync orders', status: 'failed', stepId: 'fetch_orders' },
      link: `https://apiq.example.com/runs/${failedRun}`,
    });
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]!.text).toContain(`Run ${failedRun} of "Sync orders" failed at step "fetch_orders"`);
    expect(slack.requests.at(-1)!.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(JSON.parse(incoming.requests[0]!.body).text).toContain('*APIQ alert: Orders sync failed*');
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toBe('ops@example.com');
    expect(smtp.mails[0]!.raw).toContain('Subject: APIQ alert: Orders sync failed');

    // Still failing: the open event suppresses repeats, however often rules are evaluated.
    await run(false);
    expect((await alerts.evaluate()).fired).toEqual([]);
    expect((await alerts.evaluate()).fired).toEqual([]);
    expect([receiver.requests.length, slack.messages.length, incoming.requests.length, smtp.mails.length]).toEqual([
      1, 1, 1, 1,
    ]);

    // A success resolves it; the next failure is a new condition and fires again.
    await run(true);
    expect(await alerts.evaluate()).toEqual({ fired: [], resolved: 1 });
    await run(false);
    expect((await alerts.evaluate()).fired).toHaveLength(1);
    expect([receiver.requests.length, slack.messages.length, incoming.requests.length, smtp.mails.length]).toEqual([
      2, 2, 2, 2,
    ]);

    const history = await alertHistory(engine.db, DEFAULT_WORKSPACE_ID, { ruleId: rule.id });
    expect(history.map((e) => [e.resolvedAt === null, e.deliveries.every((d) => d.ok)])).toEqual([
      [true, true],
      [false, true],
    ]);
    await engine.db.deleteFrom('alert_rules').execute();
  });

  it('fires N-failures-in-M-minutes once when the count is reached, and stays quiet while muted', async () => {
    await engine.db.deleteFrom('runs').execute();
    const windowRule = await createAlertRule(engine.db, DEFAULT_WORKSPACE_ID, {
      name: 'Too many failures',
      condition: { kind: 'failures_in_window', count: 2, minutes: 10 },
      channels: [{ type: 'webhook', target: `${receiver.origin}/window` }],
    });
    const muted = await createAlertRule(engine.db, DEFAULT_WORKSPACE_ID, {
      name: 'Muted copy',
      condition: { kind: 'failures_in_window', count: 2, minutes: 10 },
      channels: [{ type: 'webhook', target: `${receiver.origin}/muted` }],
    });
    await muteAlertRule(engine.db, DEFAULT_WORKSPACE_ID, muted.id, new Date(Date.now() + 3_600_000));
    const atWindow = () => receiver.requests.filter((r) => r.url === '/window').length;

    await run(false);
    expect((await alerts.evaluate()).fired).toEqual([]);
    await run(false);
    const fired = (await alerts.evaluate()).fired;
    expect(fired.map((f) => [f.ruleId, f.muted, f.deliveries.length])).toEqual([
      [windowRule.id, false, 1],
      [muted.id, true, 0],
    ]);
    await run(false);
    expect((await alerts.evaluate()).fired).toEqual([]);
    expect(atWindow()).toBe(1);
    expect(receiver.requests.filter((r) => r.url === '/muted')).toEqual([]);

    const [mutedEvent] = await alertHistory(engine.db, DEFAULT_WORKSPACE_ID, { ruleId: muted.id });
    expect(mutedEvent).toMatchObject({ details: { muted: true, failures: 2, count: 2, minutes: 10 }, deliveries: [] });
    await engine.db.deleteFrom('alert_rules').execute();
  });

  it('records a failed delivery with a reason that names no secret', async () => {
    await engine.db.deleteFrom('runs').execute();
    await createAlertRule(engine.db, DEFAULT_WORKSPACE_ID, {
      name: 'Goes nowhere',
      workflowId: flaky.workflowId,
      condition: { kind: 'run_failed' },
      channels: [
        { type: 'slack', target: 'C0UNKNOWN', connectionId: slackConnection },
        { type: 'webhook', target: 'http://10.255.255.1/hook' },
      ],
    });
    await run(false);
    const [fired] = (await alerts.evaluate()).fired;
    expect(fired!.deliveries).toEqual([
      { type: 'slack', target: 'C0UNKNOWN', ok: false, error: 'Slack chat.postMessage failed: channel_not_found' },
      {
        type: 'webhook',
        target: 'http://10.255.255.1/hook',
        ok: false,
        error: expect.stringMatching(/^blocked: 10\.255\.255\.1 is in private range/),
      },
    ]);
    expect(JSON.stringify(await alertHistory(engine.db, DEFAULT_WORKSPACE_ID))).not.toContain(BOT_TOKEN);
  });
});
