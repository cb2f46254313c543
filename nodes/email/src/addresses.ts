import { z } from '@apiq/sdk';
import addressparser from 'nodemailer/lib/addressparser';

export interface Mailbox {
  name: string;
  address: string;
}

const EMAIL = z.email();
const EXAMPLE = 'expected "name@example.com" or "Name <name@example.com>"';

/**
 * Parses one address or a comma-separated list ("Ada <ada@example.com>, bob@example.com") into
 * mailboxes; returns the problems instead when an entry is not a valid address.
 */
export function parseAddresses(input: string): { mailboxes: Mailbox[]; problems: string[] } {
  const problems: string[] = [];
  const mailboxes: Mailbox[] = [];
  if (/[\r\n]/.test(input)) return { mailboxes, problems: ['must not contain line breaks'] };
  for (const entry of addressparser(input, { flatten: true })) {
    const address = entry.address ?? '';
    if (!EMAIL.safeParse(address).success) {
      problems.push(`${JSON.stringify(address || entry.name || input.trim())} is not an email address (${EXAMPLE})`);
      continue;
    }
    mailboxes.push({ name: entry.name ?? '', address });
  }
  if (mailboxes.length === 0 && problems.length === 0) problems.push(`no address given (${EXAMPLE})`);
  return { mailboxes, problems };
}

/** A param holding one or more addresses: a string (comma-separated) or a list of strings. */
export function addressList(description: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .superRefine((value, ctx) => {
      const entries = typeof value === 'string' ? [value] : value;
      entries.forEach((entry, i) => {
        if (entry.trim() === '') return; // an expression that produced nothing: no recipient
        for (const problem of parseAddresses(entry).problems)
          ctx.addIssue({ code: 'custom', path: typeof value === 'string' ? [] : [i], message: problem });
      });
    })
    .transform((value) =>
      (typeof value === 'string' ? [value] : value).flatMap((e) =>
        e.trim() === '' ? [] : parseAddresses(e).mailboxes,
      ),
    )
    .describe(description);
}

/** `Name <address>` (quoted when needed) or the bare address. */
export function formatMailbox(m: Mailbox): string {
  if (!m.name) return m.address;
  return `${/^[\w .-]*$/.test(m.name) ? m.name : JSON.stringify(m.name)} <${m.address}>`;
}
