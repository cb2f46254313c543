import { defineCredentialKind, z } from '@apiq/sdk';

/** An SMTP server account: where to connect, how to secure the connection, and who the mail is from. */
export const smtpCredential = defineCredentialKind({
  id: 'smtp',
  title: 'SMTP (email)',
  description:
    'An SMTP server to send email through: host, port, TLS mode, login and the default sender. Works with any provider (Gmail, Microsoft 365, SES, Postmark, Mailgun, your own relay).',
  fields: z.object({
    host: z
      .string()
      .min(1, 'host is required, e.g. "smtp.example.com"')
      .regex(/^[^\s/:]+$|^\[?[0-9a-fA-F:.]+\]?$/, 'host must be a host name or IP address, without scheme or port')
      .describe('SMTP host'),
    port: z
      .string()
      .regex(/^\d{1,5}$/, 'port must be a number such as 587 (STARTTLS), 465 (TLS) or 25')
      .default('587')
      .describe('Port'),
    secure: z
      .enum(['true', 'false', 'starttls'])
      .default('starttls')
      .describe(
        '"true": TLS from the start (port 465); "starttls": require an upgrade to TLS (587); "false": upgrade only when offered',
      ),
    username: z.string().optional().describe('Username (leave empty for servers without login)'),
    password: z.string().optional().describe('Password or app password'),
    from: z
      .string()
      .min(1, 'from is required: the default sender, e.g. "Acme <noreply@acme.example>"')
      .describe('Default sender'),
  }),
  secret: ['password'],
  // SMTP is not HTTP: the Email node reads the fields itself.
  auth: { type: 'none' },
});
