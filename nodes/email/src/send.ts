import { defineNode, FatalError } from '@apiq/sdk';
import { formatMailbox, parseAddresses } from './addresses.ts';
import { EMAIL_ICON } from './icon.ts';
import { sendEmailParams } from './params.ts';
import { sendMail, stableMessageId, type SmtpSettings } from './smtp-transport.ts';

/** Sends an email through the SMTP server of the step's `smtp` credential. */
export const sendEmail = defineNode({
  id: 'email.send',
  version: 1,
  title: 'Send email (SMTP)',
  description:
    'Sends an email over SMTP to one or more recipients (to, cc, bcc) with a subject, a plain-text and/or HTML body, a reply-to address and file attachments; returns the message id and which recipients the server accepted.',
  keywords: [
    'email',
    'e-mail',
    'mail',
    'smtp',
    'send',
    'notify',
    'notification',
    'message',
    'newsletter',
    'attachment',
    'gmail',
    'outlook',
  ],
  category: 'app',
  icon: EMAIL_ICON,
  credentials: [{ kind: 'smtp', required: true, description: 'SMTP server, login and default sender' }],
  params: sendEmailParams,
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const { settings, from: defaultFrom } = smtpSettings(ctx.credentials.smtp);
    const from = p.from?.[0] ?? defaultFrom;
    const format = (mailboxes: typeof p.to) => mailboxes.map(formatMailbox);
    const sent = await sendMail(
      settings,
      {
        from: formatMailbox(from),
        to: format(p.to),
        ...(p.cc?.length ? { cc: format(p.cc) } : {}),
        ...(p.bcc?.length ? { bcc: format(p.bcc) } : {}),
        ...(p.replyTo?.length ? { replyTo: format(p.replyTo) } : {}),
        subject: p.subject,
        ...(p.text === undefined ? {} : { text: p.text }),
        ...(p.html === undefined ? {} : { html: p.html }),
        messageId: stableMessageId(ctx.idempotencyKey, from.address),
        attachments: (p.attachments ?? []).map((a) => ({
          filename: a.filename,
          content: Buffer.from(a.content, a.encoding === 'base64' ? 'base64' : 'utf8'),
          ...(a.contentType ? { contentType: a.contentType } : {}),
        })),
      },
      ctx.signal,
    );
    if (sent.rejected.length > 0) ctx.log.warn('some recipients were rejected', { rejected: sent.rejected });
    ctx.log.info('email sent', { messageId: sent.messageId, accepted: sent.accepted.length });
    return { output: { ...sent, subject: p.subject } };
  },
});

/** The credential's fields, checked (they are stored as strings). */
function smtpSettings(values: Record<string, string> | undefined): {
  settings: SmtpSettings;
  from: { name: string; address: string };
} {
  if (!values) {
    throw new FatalError(
      'this step needs an SMTP credential: select one (kind "smtp") in the node\'s credentials, or create one with your mail server\'s host, port, login and sender',
    );
  }
  const problems: string[] = [];
  const host = (values.host ?? '').trim();
  if (!host) problems.push('host is empty');
  const port = Number(values.port || '587');
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    problems.push(`port ${JSON.stringify(values.port)} is not a port number`);
  const secure = (values.secure || 'starttls') as SmtpSettings['secure'];
  if (!['true', 'false', 'starttls'].includes(secure))
    problems.push(`secure must be "true", "false" or "starttls" (got ${JSON.stringify(values.secure)})`);
  const parsedFrom = parseAddresses(values.from ?? '');
  if (parsedFrom.problems.length > 0 || parsedFrom.mailboxes.length !== 1)
    problems.push(`from: ${parsedFrom.problems[0] ?? 'must be a single address'}`);
  if (problems.length > 0) throw new FatalError(`the SMTP credential is not usable: ${problems.join('; ')}`);
  return {
    settings: {
      host,
      port,
      secure,
      ...(values.username ? { username: values.username } : {}),
      ...(values.password ? { password: values.password } : {}),
    },
    from: parsedFrom.mailboxes[0]!,
  };
}
