import { createHmac, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createApiqServer, Poller, type ApiqServer, type CredentialResolver } from '@apiq/runtime';
import { readRun, startTestEngine, type FinishedRun, type TestEngine } from '@apiq/runtime/testing';
import { startLocalGitHubApi, type LocalGitHubApi } from '@apiq/node-github/testing';
import { startLocalSlackApi, type LocalSlackApi } from '@apiq/node-slack/testing';
import { startLocalStripeApi, type LocalStripeApi } from '@apiq/node-stripe/testing';
import { startFakeTrello, type FakeTrello } from '@apiq/node-trello/testing';
import { startFakeOpenAI, type ChatRequestBody, type FakeAnswer, type FakeOpenAI } from '@apiq/node-openai/testing';
import { SMTP_PASSWORD, SMTP_USER, startTestSmtpServer, type TestSmtpServer } from '@apiq/node-email/testing';
import type { TestApi } from '@apiq/sdk/testing';
import { instantiateTemplate, type Template } from '../../packages/templates/src/index.ts';
import {
  HUBSPOT_TOKEN,
  MAILCHIMP_KEY,
  OPSGENIE_KEY,
  startHubSpot,
  startMailchimp,
  startMonitoredSite,
  startOpenMeteo,
  startOpsgenie,
} from './stand-ins.ts';

/** The values templates use where a user puts their own (README: "Placeholders"). */
export const PLACEHOLDERS = {
  trelloListId: '5f0a1b2c3d4e5f6a7b8c9d0e',
  trelloBoardId: '5f0a1b2c3d4e5f6a7b8c9d0f',
  hubspot: 'https://api.hubapi.com',
  mailchimp: 'https://us21.api.mailchimp.com',
  opsgenie: 'https://api.opsgenie.com',
  openMeteo: 'https://api.open-meteo.com',
  monitoredSite: 'https://status.example.com',
} as const;

const GITHUB_TOKEN = 'github_pat_templates_0123456789';
const GITHUB_SECRET = 'github-webhook-secret-templates';
const SLACK_TOKEN = 'xoxb-templates-0123456789';
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const STRIPE_KEY = 'sk_test_templates_0123456789';
const STRIPE_SECRET = 'whsec_templates_0123456789';

export interface PreparedWorkflow {
  workflowId: string;
  versionId: string;
  graph: Record<string, unknown>;
  /** The trigger node's webhook path (webhook and app-event triggers). */
  path: string | undefined;
}

export interface WebhookAnswer {
  status: number;
  body: unknown;
}

/**
 * Everything a template scenario runs against: one real engine (PostgreSQL, executor), the web
 * server that takes webhooks, a poller, and local servers for every API the templates call,
 * with one connection per credential kind pointing at them.
 */
export interface World {
  engine: TestEngine;
  base: string;
  github: LocalGitHubApi;
  slack: LocalSlackApi;
  trello: FakeTrello;
  openai: FakeOpenAI;
  stripe: LocalStripeApi;
  smtp: TestSmtpServer;
  hubspot: Awaited<ReturnType<typeof startHubSpot>>;
  mailchimp: TestApi;
  opsgenie: TestApi;
  openMeteo: TestApi;
  site: TestApi;
  /** What the stand-in model answers; a scenario sets it before its run. */
  answer: (body: ChatRequestBody) => FakeAnswer;
  /** Instantiates the template with the world's connections, points it at the local servers, saves and activates it. */
  prepare(template: Template): Promise<PreparedWorkflow>;
  /** Starts a manual run (manual and schedule triggers) and waits for it to finish or park. */
  run(workflow: PreparedWorkflow, input: unknown): Promise<FinishedRun>;
  /** Calls `/webhook/<path>` of a core webhook trigger. */
  webhook(
    workflow: PreparedWorkflow,
    request: { method?: string; body?: unknown; query?: Record<string, string> },
  ): Promise<WebhookAnswer>;
  /** Delivers a signed GitHub webhook event. */
  github_event(workflow: PreparedWorkflow, event: string, payload: Record<string, unknown>): Promise<WebhookAnswer>;
  /** Delivers a signed Stripe event. */
  stripe_event(workflow: PreparedWorkflow, event: Record<string, unknown>): Promise<WebhookAnswer>;
  /** Delivers a signed Slack Events API callback. */
  slack_event(workflow: PreparedWorkflow, event: Record<string, unknown>): Promise<WebhookAnswer>;
  /** Polls a polling trigger once; returns the runs it started. */
  poll(workflow: PreparedWorkflow): Promise<string[]>;
  /** Waits for the run to finish (or, unless `parked: false`, to park on a wait) and reads it. */
  finished(runId: string, options?: { parked?: boolean }): Promise<FinishedRun>;
  /** The newest run of a workflow (webhooks answered by a Respond step do not return the run id). */
  latestRun(workflow: PreparedWorkflow): Promise<FinishedRun>;
  close(): Promise<void>;
}

export async function startWorld(serverUrl: string): Promise<World> {
  // The stand-ins listen on loopback, which the safe outbound client refuses unless opened.
  const allowBefore = process.env.APIQ_HTTP_ALLOW;
  process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
  const github = await startLocalGitHubApi({ token: GITHUB_TOKEN, repositories: ['acme/shop'] });
  const channel = (id: string, name: string) => ({ id, name, is_private: false, is_archived: false, is_member: true });
  const slack = await startLocalSlackApi({
    botToken: SLACK_TOKEN,
    channels: [
      channel('C0ENG', 'engineering'),
      channel('C0SALES', 'sales'),
      channel('C0INCIDENTS', 'incidents'),
      channel('C0BILLING', 'billing'),
      channel('C0APPROVALS', 'approvals'),
      channel('C0SUPPORT', 'support'),
      channel('C0ANNOUNCE', 'announcements'),
      channel('C0ASK', 'ask-ai'),
    ],
  });
  const trello = await startFakeTrello();
  const world = { answer: (() => ({ content: 'OK' })) as World['answer'] };
  const openai = await startFakeOpenAI((body) => world.answer(body));
  const stripe = await startLocalStripeApi({ secretKey: STRIPE_KEY, charges: 4 });
  const smtp = await startTestSmtpServer();
  const [hubspot, mailchimp, opsgenie, openMeteo, site] = await Promise.all([
    startHubSpot(),
    startMailchimp(),
    startOpsgenie(),
    startOpenMeteo(),
    startMonitoredSite(),
  ]);

  const values: Record<string, Record<string, string>> = {
    github: { token: GITHUB_TOKEN, webhookSecret: GITHUB_SECRET, baseUrl: github.origin },
    slack: { botToken: SLACK_TOKEN, signingSecret: SLACK_SECRET, baseUrl: slack.origin },
    trello: trello.credential,
    openai: openai.credential,
    stripe: { secretKey: STRIPE_KEY, webhookSigningSecret: STRIPE_SECRET, baseUrl: stripe.origin },
    smtp: {
      host: smtp.host,
      port: String(smtp.port),
      secure: 'false',
      username: SMTP_USER,
      password: SMTP_PASSWORD,
      from: 'Acme <hello@acme.example>',
    },
    http_bearer: { token: HUBSPOT_TOKEN },
    http_basic: { username: 'apiq', password: MAILCHIMP_KEY },
    api_key_header: { headerName: 'Authorization', apiKey: OPSGENIE_KEY },
  };
  const connectionIds = Object.fromEntries(Object.keys(values).map((kind) => [kind, randomUUID()]));
  const resolveCredentials: CredentialResolver = async (_workspaceId, refs) => {
    const out: Record<string, Record<string, string>> = {};
    for (const [kind, id] of Object.entries(refs)) {
      if (connectionIds[kind] !== id) throw new Error(`connection ${id} (${kind}) does not exist`);
      out[kind] = values[kind]!;
    }
    return out;
  };
  const engine = await startTestEngine(serverUrl, { executor: { resolveCredentials } });
  const web: ApiqServer = await createApiqServer({
    db: engine.db,
    pool: engine.opened.pool,
    catalog: engine.catalog,
    resolveCredentials,
  });
  const base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  const poller = new Poller({ db: engine.db, pool: engine.opened.pool, catalog: engine.catalog, resolveCredentials });

  const replacements: Array<[string, string]> = [
    [PLACEHOLDERS.trelloListId, trello.lists.todo],
    [PLACEHOLDERS.trelloBoardId, trello.boardId],
    [PLACEHOLDERS.hubspot, hubspot.url],
    [PLACEHOLDERS.mailchimp, mailchimp.url],
    [PLACEHOLDERS.opsgenie, opsgenie.url],
    [PLACEHOLDERS.openMeteo, openMeteo.url],
    [PLACEHOLDERS.monitoredSite, site.url],
  ];
  const pointAtStandIns = (graph: Record<string, unknown>) => {
    let text = JSON.stringify(graph);
    for (const [from, to] of replacements) text = text.split(from).join(to);
    return JSON.parse(text) as Record<string, unknown>;
  };

  const done = (status: string, parked: boolean) =>
    ['succeeded', 'failed', 'cancelled', 'dead'].includes(status) || (parked && status === 'waiting');
  const finished = async (runId: string, { parked = true }: { parked?: boolean } = {}) => {
    // The database first: a resumed run's earlier "waiting" event must not count.
    const before = await readRun(engine.opened, runId);
    if (done(before.status, parked)) return before;
    await engine.waitFor(runId, parked ? ['finished', 'waiting'] : ['finished'], 20_000);
    const after = await readRun(engine.opened, runId);
    if (!done(after.status, parked)) throw new Error(`run ${runId} did not finish within 20 s (${after.status})`);
    return after;
  };
  const post = async (path: string, body: string, headers: Record<string, string>): Promise<WebhookAnswer> => {
    const res = await fetch(`${base}/webhook/${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
  const now = () => Math.floor(Date.now() / 1000);

  return Object.assign(world, {
    engine,
    base,
    github,
    slack,
    trello,
    openai,
    stripe,
    smtp,
    hubspot,
    mailchimp,
    opsgenie,
    openMeteo,
    site,
    async prepare(template: Template) {
      const choices = Object.fromEntries(
        template.meta.requiredCredentials.map((r) => [r.kind, connectionIds[r.kind]!] as const),
      );
      const { graph, missing } = instantiateTemplate(template, { credentialChoices: choices });
      expect(missing).toEqual([]);
      const runnable = pointAtStandIns(graph);
      const nodes = runnable.nodes as Array<{ type: string; version?: number; params?: Record<string, unknown> }>;
      const trigger = nodes.find((n) => engine.catalog.get(n.type, n.version ?? 1)?.trigger)!;
      const def = engine.catalog.get(trigger.type, trigger.version ?? 1);
      const saved = await engine.save(runnable, { activate: def?.trigger !== 'manual' && def?.trigger !== 'schedule' });
      return {
        workflowId: saved.workflowId,
        versionId: saved.versionId,
        graph: runnable,
        path: typeof trigger.params?.path === 'string' ? trigger.params.path : undefined,
      };
    },
    run: (wf: PreparedWorkflow, input: unknown) => engine.run(wf, input),
    async webhook(wf: PreparedWorkflow, request: { method?: string; body?: unknown; query?: Record<string, string> }) {
      const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
      const res = await fetch(`${base}/webhook/${wf.path}${query}`, {
        method: request.method ?? 'POST',
        ...(request.body !== undefined
          ? { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    github_event(wf: PreparedWorkflow, event: string, payload: Record<string, unknown>) {
      const body = JSON.stringify(payload);
      return post(wf.path!, body, {
        'x-github-event': event,
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${hmac(GITHUB_SECRET, body)}`,
        'user-agent': 'GitHub-Hookshot/7d3a6b1',
      });
    },
    stripe_event(wf: PreparedWorkflow, event: Record<string, unknown>) {
      const body = JSON.stringify({ object: 'event', api_version: '2025-01-27.acacia', livemode: false, ...event });
      const ts = now();
      return post(wf.path!, body, { 'stripe-signature': `t=${ts},v1=${hmac(STRIPE_SECRET, `${ts}.${body}`)}` });
    },
    slack_event(wf: PreparedWorkflow, event: Record<string, unknown>) {
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: 'T0ACME',
        api_app_id: 'A0APIQ',
        type: 'event_callback',
        event_id: `Ev${randomUUID().slice(0, 8)}`,
        event_time: now(),
        event,
      });
      const ts = now();
      return post(wf.path!, body, {
        'x-slack-signature': `v0=${hmac(SLACK_SECRET, `v0:${ts}:${body}`)}`,
        'x-slack-request-timestamp': String(ts),
      });
    },
    async poll(wf: PreparedWorkflow) {
      const outcome = await poller.pollOnce(wf.workflowId);
      return (outcome as { runIds?: string[] }).runIds ?? [];
    },
    finished,
    async latestRun(wf: PreparedWorkflow) {
      const row = await engine.db
        .selectFrom('runs')
        .select('id')
        .where('workflow_id', '=', wf.workflowId)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      return finished(row.id);
    },
    async close() {
      await poller.stop();
      await web.close();
      await engine.close();
      await Promise.all(
        [github, slack, trello, openai, stripe, smtp, hubspot, mailchimp, opsgenie, openMeteo, site].map((s) =>
          s.close(),
        ),
      );
      if (allowBefore === undefined) delete process.env.APIQ_HTTP_ALLOW;
      else process.env.APIQ_HTTP_ALLOW = allowBefore;
    },
  });
}
