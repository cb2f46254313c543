import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMailer } from './mailer.ts';
import { authFixture, type AuthFixture } from './testing/fixture.ts';

describe('mailer', () => {
  let f: AuthFixture;
  beforeEach(async () => {
    f = await authFixture();
  });
  afterEach(() => f.drop());

  it('delivers through SMTP and keeps a copy in the outbox', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          received.push(data);
          done();
        });
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    const port = (server.server.address() as AddressInfo).port;
    try {
      const mailer = createMailer({ db: f.db, smtpUrl: `smtp://127.0.0.1:${port}`, from: 'APIQ <a@apiq.test>' });
      expect(mailer.delivers).toBe(true);
      await mailer.send({ to: 'ann@example.com', subject: 'Hello there', text: 'Body text' });
      expect(received).toHaveLength(1);
      expect(received[0]).toContain('Subject: Hello there');
      expect(received[0]).toContain('Body text');
      const row = await f.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
      expect([row.to_address, row.delivered]).toEqual(['ann@example.com', true]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('without SMTP writes the message to the log and the outbox', async () => {
    const logged: unknown[] = [];
    const mailer = createMailer({ db: f.db, log: (m, d) => logged.push({ m, ...d }) });
    expect(mailer.delivers).toBe(false);
    await mailer.send({ to: 'ann@example.com', subject: 'Link', text: 'http://x/verify' });
    expect(JSON.stringify(logged)).toContain('http://x/verify');
    const row = await f.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    expect([row.subject, row.delivered]).toEqual(['Link', false]);
  });
});
