import { defineNode, z, type Json, type NodeWebhook, type WebhookDelivery } from '@apiq/sdk';
import { githubIcon } from './icon.ts';
import { webhookPathParam } from './params.ts';
import { verifyGitHubSignature } from './webhook-signature.ts';

const credentials = [
  { kind: 'github', required: true, description: 'Its webhook secret checks that deliveries come from GitHub' },
];

type Payload = { [key: string]: Json };

/** The delivery's JSON payload (GitHub sends `payload=<json>` when the webhook's content type is form). */
function payloadOf(d: WebhookDelivery): Payload {
  let body = d.body;
  if (body && typeof body === 'object' && !Array.isArray(body) && typeof body.payload === 'string') {
    body = JSON.parse(body.payload) as Json;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new Error('a GitHub delivery carries a JSON object; set the webhook\'s content type to "application/json"');
  return body;
}

/**
 * Webhook hooks shared by the GitHub triggers: signature check with the credential's webhook
 * secret, `ping` answered, `X-GitHub-Delivery` as the delivery id, and an output of
 * `{ event, deliveryId, ...payload }`.
 */
function githubWebhook<P>(matches: (event: string, action: string | undefined, params: P) => boolean): NodeWebhook<P> {
  return {
    verify(d, creds) {
      const secret = creds.github?.webhookSecret;
      if (!secret)
        return {
          ok: false,
          message:
            'this GitHub trigger has no webhook secret to check deliveries with: select a GitHub credential with a webhook secret, and set the same secret on the webhook in GitHub',
        };
      return verifyGitHubSignature(secret, d.headers['x-hub-signature-256'], d.rawBody);
    },
    handshake(d) {
      if (d.headers['x-github-event'] !== 'ping') return undefined;
      return { status: 200, body: { ok: true, message: 'pong: APIQ received the ping; deliveries will start runs' } };
    },
    accept(d) {
      const action = payloadOf(d).action;
      return matches(d.headers['x-github-event'] ?? '', typeof action === 'string' ? action : undefined, d.params);
    },
    deliveryId: (d) => d.headers['x-github-delivery'],
    output: (d) => ({
      event: d.headers['x-github-event'] ?? null,
      deliveryId: d.headers['x-github-delivery'] ?? null,
      ...payloadOf(d),
    }),
  };
}

const EVENT_NAME = z.string().regex(/^[a-z_]+$/, 'event names are lower_snake_case, e.g. "pull_request"');

/** Any GitHub webhook event, optionally filtered by event and action. */
export const githubOnEvent = defineNode({
  id: 'github.on_event',
  title: 'On GitHub event (webhook)',
  description:
    'Starts the workflow when GitHub sends a webhook event (push, issues, pull_request, issue_comment, release, star, workflow_run, …), optionally only for some events and actions. Checks the X-Hub-Signature-256 signature.',
  keywords: [
    'github',
    'webhook',
    'trigger',
    'event',
    'push',
    'commit',
    'release',
    'issue comment',
    'star',
    'workflow run',
    'repository',
    'when',
  ],
  category: 'trigger',
  icon: githubIcon,
  trigger: 'app_event',
  credentials,
  params: z.strictObject({
    path: webhookPathParam('github/events'),
    events: z
      .array(EVENT_NAME)
      .default([])
      .describe('Only these events (X-GitHub-Event), e.g. ["push", "release"]. Empty: every event'),
    actions: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these actions of the payload, e.g. ["opened", "closed"]. Empty: every action'),
  }),
  idempotent: true,
  sideEffects: false,
  webhook: githubWebhook(
    (event, action, p: { events: string[]; actions: string[] }) =>
      (p.events.length === 0 || p.events.includes(event)) &&
      (p.actions.length === 0 || (action !== undefined && p.actions.includes(action))),
  ),
  run: (ctx) => ({ output: ctx.trigger }),
});

const ISSUE_ACTIONS = ['opened', 'reopened', 'edited', 'closed', 'labeled', 'assigned'] as const;

/** A new issue in a repository (webhook). */
export const githubIssueOpened = defineNode({
  id: 'github.issue_opened',
  title: 'New issue (GitHub webhook)',
  description:
    'Starts the workflow when an issue is opened in a GitHub repository (or, if chosen, reopened, edited, closed, labeled or assigned). Instant, through a GitHub webhook with a signature check.',
  keywords: ['github', 'issue', 'new issue', 'opened', 'created', 'bug report', 'trigger', 'webhook', 'when'],
  category: 'trigger',
  icon: githubIcon,
  trigger: 'app_event',
  credentials,
  params: z.strictObject({
    path: webhookPathParam('github/issues'),
    actions: z
      .array(z.enum(ISSUE_ACTIONS))
      .min(1, `pick at least one action: ${ISSUE_ACTIONS.join(', ')}`)
      .default(['opened'])
      .describe('Issue actions that start a run'),
  }),
  idempotent: true,
  sideEffects: false,
  webhook: githubWebhook(
    (event, action, p: { actions: string[] }) =>
      event === 'issues' && action !== undefined && p.actions.includes(action),
  ),
  run: (ctx) => ({ output: ctx.trigger }),
});

const PR_ACTIONS = ['opened', 'reopened', 'ready_for_review', 'synchronize', 'edited', 'closed', 'labeled'] as const;

/** A new pull request in a repository (webhook). */
export const githubPullRequestOpened = defineNode({
  id: 'github.pull_request_opened',
  title: 'New pull request (GitHub webhook)',
  description:
    'Starts the workflow when a pull request is opened in a GitHub repository (or, if chosen, reopened, marked ready for review, updated with new commits, edited, closed or labeled). Instant, through a GitHub webhook with a signature check.',
  keywords: [
    'github',
    'pull request',
    'pr',
    'new pull request',
    'opened',
    'merge request',
    'review',
    'trigger',
    'webhook',
  ],
  category: 'trigger',
  icon: githubIcon,
  trigger: 'app_event',
  credentials,
  params: z.strictObject({
    path: webhookPathParam('github/pull-requests'),
    actions: z
      .array(z.enum(PR_ACTIONS))
      .min(1, `pick at least one action: ${PR_ACTIONS.join(', ')}`)
      .default(['opened'])
      .describe('Pull request actions that start a run'),
  }),
  idempotent: true,
  sideEffects: false,
  webhook: githubWebhook(
    (event, action, p: { actions: string[] }) =>
      event === 'pull_request' && action !== undefined && p.actions.includes(action),
  ),
  run: (ctx) => ({ output: ctx.trigger }),
});
