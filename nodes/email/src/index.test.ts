import { createServer } from 'node:net';
import { paramsJsonSchema, type NodeResult } from '@apiq/sdk';
import { rejectionOf, runNode } from '@apiq/sdk/testing';
import { watchOutboundSockets } from '@apiq/http/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendEmail, smtpCredential } from './index.ts';
import { SMTP_PASSWORD, SMTP_USER, startTestSmtpServer, type TestSmtpServer } from './smtp-test-server.ts';

// The Email node checks SMTP hosts with the safe client's rules: open loopback for the local server.
const previousAllow = process.env.APIQ_HTTP_ALLOW;
beforeAll(() => {
  process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
});
afterAll(() => {
  if (previousAllow === undefined) delete process.env.APIQ_HTTP_ALLOW;
  else process.env.APIQ_HTTP_ALLOW = previousAllow;
});

let smtp: TestSmtpServer;
beforeEach(async () => {
  smtp = await startTestSmtpServer();
});
afterEach(async () => {
  await smtp.close();
});

const credential = (overrides: Record<string, string> = {}) => ({
  host: smtp.host,
  port: String(smtp.port),
  secure: 'false',
  username: SMTP_USER,
  password: SMTP_PASSWORD,
  from: 'APIQ Robot <robot@apiq.example>',
  ...overrides,
});
const send = async (params: Record<string, unknown>, overrides?: Record<string, string>, idempotencyKey?: string) => {
  const { result, logs } = await runNode(sendEmail, {
    params,
    credentials: { smtp: credential(overrides) },
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  return { output: (result as Extract<NodeResult, { output: unknown }>).output as Record<string, unknown>, logs };
};
const failure = (work: Promise<unknown>) => rejectionOf<{ kind: string; message: string }>(work);

// A 1×1 transparent PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('email.send definition', () => {
  it('is an app node on the smtp credential kind with a form-ready schema', () => {
    expect(sendEmail).toMatchObject({ id: 'email.send', version: 1, category: 'app', idempotent: false });
    expect(sendEmail.credentials).toEqual([expect.objectContaining({ kind: 'smtp', required: true })]);
    expect(smtpCredential).toMatchObject({ id: 'smtp', secret: ['password'] });
    expect(paramsJsonSchema(sendEmail)).toMatchObject({ required: ['to', 'subject'] });
  });

  it('names the bad address, field and position, and what a good one looks like', () => {
    const issues = (raw: unknown) => sendEmail.params.safeParse(raw).error?.issues ?? [];
    const bad = issues({ to: ['ada@example.com', 'bob@'], subject: 'Hi', text: 'x' });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ path: ['to', 1] });
    expect(bad[0]!.message).toBe(
      '"bob@" is not an email address (expected "name@example.com" or "Name <name@example.com>")',
    );
    expect(issues({ to: 'ada@example.com, not an address', subject: 'Hi', text: 'x' })[0]!.message).toMatch(
      /"not an address" is not an email address/,
    );
    expect(issues({ to: 'a@example.com', replyTo: 'x', subject: 'Hi', text: 'x' })[0]).toMatchObject({
      path: ['replyTo'],
    });
    expect(issues({ to: 'a@example.com', subject: 'Hi' })[0]).toMatchObject({
      path: ['text'],
      message: 'give a body: text, html or both',
    });
    expect(issues({ to: '', subject: 'Hi', text: 'x' })[0]).toMatchObject({ path: ['to'] });
    expect(issues({ to: 'a@example.com', subject: 'Hi\r\nBcc: x@evil.example', text: 'x' })[0]).toMatchObject({
      path: ['subject'],
    });
    expect(
      issues({
        to: 'a@example.com',
        subject: 'Hi',
        text: 'x',
        attachments: [{ filename: 'a.png', content: 'not base64!', encoding: 'base64' }],
      })[0],
    ).toMatchObject({ path: ['attachments', 0, 'content'] });
  });
});

describe('email.send through a real SMTP server', () => {
  it('delivers headers, recipients, both bodies and attachments; bcc only in the envelope', async () => {
    const { output } = await send(
      {
        to: ['Ada Lovelace <ada@example.com>', 'bob@example.com'],
        cc: 'carol@example.com',
        bcc: ['dave@example.com'],
        replyTo: 'Support <support@apiq.example>',
        subject: 'Your report is ready ✓',
        text: 'Hello Ada,\nthe report is attached.',
        html: '<p>Hello Ada,<br>the report is <b>attached</b>.</p>',
        attachments: [
          { filename: 'report.csv', content: 'id,total\n1,42\n', contentType: 'text/csv' },
          { filename: 'pixel.png', content: PNG_BASE64, encoding: 'base64' },
        ],
      },
      undefined,
      'run-1:mail:',
    );
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.user).toBe(SMTP_USER);
    expect(mail.envelope).toEqual({
      from: 'robot@apiq.example',
      to: ['ada@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com'],
    });
    const m = mail.parsed;
    expect(m.from?.value).toEqual([{ address: 'robot@apiq.example', name: 'APIQ Robot' }]);
    expect(m.to && !Array.isArray(m.to) ? m.to.value : []).toEqual([
      { address: 'ada@example.com', name: 'Ada Lovelace' },
      { address: 'bob@example.com', name: '' },
    ]);
    expect(m.cc && !Array.isArray(m.cc) ? m.cc.text : '').toBe('carol@example.com');
    expect(m.bcc).toBeUndefined();
    expect(m.headers.has('bcc')).toBe(false);
    expect(m.replyTo?.value).toEqual([{ address: 'support@apiq.example', name: 'Support' }]);
    expect(m.subject).toBe('Your report is ready ✓');
    expect(m.text).toBe('Hello Ada,\nthe report is attached.');
    expect(m.html).toBe('<p>Hello Ada,<br>the report is <b>attached</b>.</p>');
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['report.csv', 'text/csv'],
      ['pixel.png', 'image/png'],
    ]);
    expect(m.attachments[0]!.content.toString('utf8')).toBe('id,total\n1,42\n');
    expect(m.attachments[1]!.content.equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true);
    expect(m.messageId).toMatch(/^<[0-9a-f]{32}@apiq\.example>$/);
    expect(output).toMatchObject({
      messageId: m.messageId,
      accepted: ['ada@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com'],
      rejected: [],
      subject: 'Your report is ready ✓',
    });
    expect(output.response).toMatch(/^250 /);
  });

  it('uses the same Message-ID on a retry of the same step, and the from param over the credential', async () => {
    const params = { to: 'ada@example.com', subject: 'Once', text: 'x', from: 'Billing <billing@apiq.example>' };
    const first = await send(params, undefined, 'run-7:notify:');
    const again = await send(params, undefined, 'run-7:notify:');
    const other = await send(params, undefined, 'run-8:notify:');
    expect(again.output.messageId).toBe(first.output.messageId);
    expect(other.output.messageId).not.toBe(first.output.messageId);
    expect(smtp.received[0]!.parsed.from?.value).toEqual([{ address: 'billing@apiq.example', name: 'Billing' }]);
  });

  it('reports recipients the server refused while delivering to the others', async () => {
    const { output, logs } = await send({ to: 'ada@example.com, nobody@example.com', subject: 'Hi', text: 'x' });
    expect(output).toMatchObject({ accepted: ['ada@example.com'], rejected: ['nobody@example.com'] });
    expect(smtp.received[0]!.envelope.to).toEqual(['ada@example.com']);
    expect(logs.some((l) => l.level === 'warn' && /rejected/.test(l.message))).toBe(true);
  });
});

describe('email.send failures', () => {
  it('a wrong password is fatal and says to check the login, without the password', async () => {
    const err = await failure(send({ to: 'ada@example.com', subject: 'Hi', text: 'x' }, { password: 'hunter2-wrong' }));
    expect(err.kind).toBe('fatal');
    expect(err.message).toMatch(new RegExp(`^SMTP server 127\\.0\\.0\\.1:${smtp.port} refused the login: .*535`));
    expect(err.message).toMatch(/check the SMTP credential's username and password/);
    expect(err.message).not.toContain('hunter2');
    expect(smtp.received).toHaveLength(0);
  });

  it('a permanently refused recipient (550) is fatal, a temporary refusal (451) retryable', async () => {
    const refused = await failure(send({ to: 'nobody@example.com', subject: 'Hi', text: 'x' }));
    expect(refused.kind).toBe('fatal');
    expect(refused.message).toMatch(/mailbox unavailable/);
    const busy = await failure(send({ to: 'busy@example.com', subject: 'Hi', text: 'x' }));
    expect(busy.kind).toBe('retryable');
    expect(busy.message).toMatch(/451.*try again later|try again later.*451/);
    expect(smtp.received).toHaveLength(0);
  });

  it('a refused connection is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(send({ to: 'ada@example.com', subject: 'Hi', text: 'x' }, { port: String(port) }));
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(new RegExp(`SMTP server 127\\.0\\.0\\.1:${port} could not be reached: .*ECONNREFUSED`));
  });

  it('requiring STARTTLS from a server that does not offer it is fatal', async () => {
    const err = await failure(send({ to: 'ada@example.com', subject: 'Hi', text: 'x' }, { secure: 'starttls' }));
    expect(err.kind).toBe('fatal');
    expect(err.message).toMatch(/TLS failed: .*check the credential's "secure" mode and port/);
    expect(smtp.received).toHaveLength(0);
  });

  it('refuses loopback and private hosts unless APIQ_HTTP_ALLOW opens them, before any socket', async () => {
    process.env.APIQ_HTTP_ALLOW = '';
    const sockets = watchOutboundSockets();
    try {
      const err = await failure(send({ to: 'ada@example.com', subject: 'Hi', text: 'x' }));
      expect(err.kind).toBe('fatal');
      expect(err.message).toMatch(/blocked: 127\.0\.0\.1 is in loopback range .* APIQ_HTTP_ALLOW=127\.0\.0\.1\/32/);
      const metadata = await failure(
        send({ to: 'ada@example.com', subject: 'Hi', text: 'x' }, { host: '169.254.169.254' }),
      );
      expect(metadata.message).toMatch(/link-local/);
      expect(sockets.created).toBe(0);
    } finally {
      sockets.stop();
      process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    }
  });

  it('says what is missing when there is no credential or it is incomplete', async () => {
    const none = await failure(runNode(sendEmail, { params: { to: 'a@example.com', subject: 'Hi', text: 'x' } }));
    expect(none).toMatchObject({ kind: 'fatal' });
    expect(none.message).toMatch(/needs an SMTP credential/);
    const broken = await failure(
      send({ to: 'a@example.com', subject: 'Hi', text: 'x' }, { port: 'smtp', from: 'robot' }),
    );
    expect(broken.message).toBe(
      'the SMTP credential is not usable: port "smtp" is not a port number; from: "robot" is not an email address (expected "name@example.com" or "Name <name@example.com>")',
    );
  });
});
