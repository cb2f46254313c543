import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'correct horse battery staple';

export interface ReceivedMail {
  /** The SMTP envelope: MAIL FROM and every RCPT TO (bcc recipients appear only here). */
  envelope: { from: string; to: string[] };
  /** Who logged in. */
  user: string | undefined;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server) with PLAIN/LOGIN auth, parsing each message it
 * accepts with mailparser. `nobody@example.com` is refused with 550 and `busy@example.com` with
 * 451, as mail servers do. STARTTLS is not offered, so login happens in clear (fine on loopback).
 */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD)
        return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (address.address === 'nobody@example.com')
        return callback(
          Object.assign(new Error('5.1.1 <nobody@example.com>: mailbox unavailable'), { responseCode: 550 }),
        );
      if (address.address === 'busy@example.com')
        return callback(Object.assign(new Error('4.2.1 mailbox busy, try later'), { responseCode: 451 }));
      return callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const envelope = session.envelope;
          received.push({
            envelope: {
              from: envelope.mailFrom ? envelope.mailFrom.address : '',
              to: envelope.rcptTo.map((r) => r.address),
            },
            user: typeof session.user === 'string' ? session.user : undefined,
            parsed,
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
