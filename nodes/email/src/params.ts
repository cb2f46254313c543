import { z } from '@apiq/sdk';
import { addressList } from './addresses.ts';

/** Attachments may total at most this many bytes (most providers refuse messages over 25 MB). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const attachment = z
  .strictObject({
    filename: z
      .string()
      .min(1, 'filename is required, e.g. "report.csv"')
      .refine((f) => !/[/\\\r\n]/.test(f), 'filename must be a plain file name, without "/", "\\" or line breaks')
      .describe('File name shown to the recipient'),
    content: z.string().describe('The file content: text, or base64 when encoding is "base64"'),
    encoding: z.enum(['utf8', 'base64']).default('utf8').describe('How content is given'),
    contentType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'contentType must be a MIME type such as "text/csv" or "application/pdf"')
      .optional()
      .describe('MIME type (guessed from the file name when empty)'),
  })
  .superRefine((a, ctx) => {
    if (a.encoding === 'base64') {
      const compact = a.content.replace(/\s+/g, '');
      if (!BASE64.test(compact) || compact.length % 4 !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['content'],
          message: 'content is not valid base64 (letters, digits, "+", "/", padded with "=" to a multiple of 4)',
        });
    }
  });

export const sendEmailParams = z
  .strictObject({
    to: addressList('Recipients: "a@example.com", "Ada <ada@example.com>, bob@example.com" or a list'),
    cc: addressList('Copy recipients').optional(),
    bcc: addressList('Hidden copy recipients').optional(),
    from: addressList('Sender (default: the credential\'s "from")').optional(),
    replyTo: addressList('Where replies go').optional(),
    subject: z
      .string()
      .min(1, 'subject is required, e.g. "Your order has shipped"')
      .max(998, 'subject is longer than the 998 characters a mail header line allows')
      .refine((s) => !/[\r\n]/.test(s), 'subject must be one line (no line breaks)')
      .describe('Subject line'),
    text: z.string().optional().describe('Plain-text body'),
    html: z.string().optional().describe('HTML body (mail clients show it instead of text when they can)'),
    attachments: z.array(attachment).max(20, 'at most 20 attachments').optional().describe('Files to attach'),
  })
  .superRefine((p, ctx) => {
    if (p.to.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'to needs at least one recipient, e.g. "ada@example.com"',
      });
    if (p.text === undefined && p.html === undefined)
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'give a body: text, html or both' });
    if (p.from && p.from.length > 1)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be a single address' });
    const bytes = (p.attachments ?? []).reduce(
      (n, a) => n + Buffer.byteLength(a.content, a.encoding === 'base64' ? 'base64' : 'utf8'),
      0,
    );
    if (bytes > MAX_ATTACHMENT_BYTES)
      ctx.addIssue({
        code: 'custom',
        path: ['attachments'],
        message: `attachments total ${bytes} bytes, more than the ${MAX_ATTACHMENT_BYTES}-byte limit`,
      });
  });

export type SendEmailParams = z.infer<typeof sendEmailParams>;
