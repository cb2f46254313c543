import nodemailer from 'nodemailer';
import type { AuthDb } from './schema.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(email: Email): Promise<void>;
  /** True when messages go to an SMTP server; false when they only reach the outbox and the log. */
  readonly delivers: boolean;
}

export interface MailerOptions {
  db: AuthDb;
  /** `smtp://user:pass@host:587` or `smtps://…`; without it messages go to the outbox only. */
  smtpUrl?: string | undefined;
  from?: string;
  log?: (message: string, data: Record<string, unknown>) => void;
}

/**
 * Sends account emails (verification, password reset, invitations). Every message is also kept in
 * the `email_outbox` table, which the instance owner can read: with no SMTP server configured (the
 * embedded default) that, and the log, is where the links are — so a first user is never locked out.
 */
export function createMailer(o: MailerOptions): Mailer {
  const from = o.from ?? 'APIQ <no-reply@apiq.local>';
  const transport = o.smtpUrl ? nodemailer.createTransport(o.smtpUrl) : undefined;
  const log =
    o.log ?? ((message, data) => process.stdout.write(`${JSON.stringify({ level: 'info', message, ...data })}\n`));
  return {
    delivers: transport !== undefined,
    async send(email) {
      let error: string | null = null;
      if (transport) {
        try {
          await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text });
        } catch (err) {
          error = (err as Error).message;
        }
      } else {
        log('email (no SMTP server configured; also in the admin outbox)', {
          to: email.to,
          subject: email.subject,
          text: email.text,
        });
      }
      await o.db
        .insertInto('email_outbox')
        .values({
          to_address: email.to,
          subject: email.subject,
          text_body: email.text,
          delivered: transport !== undefined && error === null,
          error,
        })
        .execute();
      if (error) throw new Error(`Could not send the email to ${email.to}: ${error}`);
    },
  };
}
