import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { redactSecrets } from '@apiq/sdk';
import type { CredentialResolver } from '../credentials/index.ts';
import type { AlertChannel } from './alert-rule-schema.ts';

/** What a channel sends: one subject line, a text body, and the structured event for webhooks. */
export interface AlertMessage {
  subject: string;
  text: string;
  payload: Record<string, unknown>;
}

export interface Delivery {
  type: AlertChannel['type'];
  target: string;
  ok: boolean;
  error?: string;
}

/** Sends alert emails: `createMailer` of `@apiq/auth` fits (SMTP when configured, always the outbox). */
export interface AlertMailer {
  send(email: { to: string; subject: string; text: string }): Promise<void>;
}

export interface DeliveryDeps {
  db: Kysely<Database>;
  /** The safe outbound client: Slack and webhook channels go through it. */
  fetch: (url: string, init?: RequestInit & { timeoutMs?: number }) => Promise<Response>;
  /** Without one, emails are written to the `email_outbox` table (read by the instance owner). */
  mailer?: AlertMailer;
  /** Decrypts a Slack connection's bot token for chat.postMessage. */
  resolveCredentials?: CredentialResolver;
}

const TIMEOUT_MS = 10_000;

/**
 * Delivers one alert to one channel and reports the outcome; never throws. Error messages are
 * cleaned of the secrets used (bot tokens) before they are stored.
 *
 * @example
 * await deliverAlert(deps, workspaceId, { type: 'webhook', target: 'https://hooks.example.com/apiq' }, message);
 * // → { type: 'webhook', target: 'https://hooks.example.com/apiq', ok: true }
 */
export async function deliverAlert(
  deps: DeliveryDeps,
  workspaceId: string,
  channel: AlertChannel,
  message: AlertMessage,
): Promise<Delivery> {
  const secrets: string[] = [];
  const outcome = (ok: boolean, error?: string): Delivery => ({
    type: channel.type,
    target: channel.target,
    ok,
    ...(error ? { error: redactSecrets(error, secrets) } : {}),
  });
  try {
    switch (channel.type) {
      case 'email':
        if (deps.mailer) await deps.mailer.send({ to: channel.target, subject: message.subject, text: message.text });
        else
          await sql`insert into email_outbox (to_address, subject, text_body)
            values (${channel.target}, ${message.subject}, ${message.text})`.execute(deps.db);
        return outcome(true);
      case 'webhook':
        await postJson(deps, channel.target, message.payload, {});
        return outcome(true);
      case 'slack': {
        const text = `*${message.subject}*\n${message.text}`;
        if (/^https?:\/\//.test(channel.target)) {
          await postJson(deps, channel.target, { text }, {});
          return outcome(true);
        }
        const token = await slackToken(deps, workspaceId, channel.connectionId);
        secrets.push(token.botToken);
        const base = (token.baseUrl ?? 'https://slack.com/api').replace(/\/+$/, '');
        const res = await postJson(
          deps,
          `${base}/chat.postMessage`,
          { channel: channel.target, text },
          { authorization: `Bearer ${token.botToken}` },
        );
        const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string };
        if (body.ok !== true)
          return outcome(false, `Slack chat.postMessage failed: ${body.error ?? 'no "ok" in the answer'}`);
        return outcome(true);
      }
    }
  } catch (err) {
    return outcome(false, (err as Error).message);
  }
}

async function postJson(
  deps: DeliveryDeps,
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Response> {
  const res = await deps.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    timeoutMs: TIMEOUT_MS,
  });
  if (res.status < 200 || res.status > 299) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new Error(`${new URL(url).host} answered ${res.status}${text ? `: ${text}` : ''}`);
  }
  return res;
}

async function slackToken(
  deps: DeliveryDeps,
  workspaceId: string,
  connectionId: string | undefined,
): Promise<{ botToken: string; baseUrl?: string }> {
  if (!connectionId) throw new Error('no Slack connection chosen for this channel');
  if (!deps.resolveCredentials) throw new Error('connections cannot be read here (the vault is not open)');
  const row = await deps.db
    .selectFrom('credentials')
    .select('kind')
    .where('id', '=', connectionId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) throw new Error(`connection ${connectionId} no longer exists`);
  const values = (await deps.resolveCredentials(workspaceId, { [row.kind]: connectionId }))[row.kind] ?? {};
  if (!values.botToken) throw new Error(`connection ${connectionId} (${row.kind}) has no bot token`);
  return { botToken: values.botToken, ...(values.baseUrl ? { baseUrl: values.baseUrl } : {}) };
}
