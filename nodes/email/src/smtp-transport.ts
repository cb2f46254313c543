import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { resolveSafeAddress } from '@apiq/http';
import { FatalError, NodeError, RetryableError } from '@apiq/sdk';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: 'true' | 'false' | 'starttls';
  username?: string;
  password?: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
}

const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 60_000;

/**
 * Sends one message over SMTP. The host is resolved and checked with the safe client's rules
 * first (nodemailer opens its own sockets), then nodemailer connects to the checked address with
 * the host name kept for TLS. Failures become typed errors (auth → fatal, connection → retryable,
 * SMTP 4xx → retryable, 5xx → fatal).
 *
 * @example
 * await sendMail({ host: 'smtp.example.com', port: 587, secure: 'starttls', username, password }, message, signal);
 */
export async function sendMail(settings: SmtpSettings, message: Mail.Options, signal: AbortSignal): Promise<SentMail> {
  const where = `SMTP server ${settings.host}:${settings.port}`;
  let address: string;
  let servername: string;
  try {
    ({ address, host: servername } = await resolveSafeAddress(settings.host, { scheme: 'smtp', port: settings.port }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    const text = (err as Error).message;
    if (code === 'APIQ_HTTP_DNS_FAILED') throw new RetryableError(`${where}: ${text}`, { cause: err });
    throw new FatalError(`${where}: ${text}`, { cause: err });
  }
  signal.throwIfAborted();
  const transport = nodemailer.createTransport({
    host: address,
    port: settings.port,
    secure: settings.secure === 'true',
    requireTLS: settings.secure === 'starttls',
    tls: { servername },
    ...(settings.username ? { auth: { user: settings.username, pass: settings.password ?? '' } } : {}),
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // Attachments come from params only: never read files or fetch URLs named in a message.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const onAbort = () => transport.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const info = await transport.sendMail(message);
    return {
      messageId: String(info.messageId ?? ''),
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
      response: String(info.response ?? ''),
    };
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    throw smtpFailure(err, where);
  } finally {
    signal.removeEventListener('abort', onAbort);
    transport.close();
  }
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED']);

/** Maps a nodemailer error to the engine's typed errors, saying what to check. */
export function smtpFailure(err: unknown, where: string): NodeError {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const detail = (e.response ?? e.message ?? String(err)).trim();
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH')
    return new FatalError(`${where} refused the login: ${detail} (check the SMTP credential's username and password)`, {
      cause: err,
    });
  if (e.code === 'ETLS')
    return new FatalError(`${where}: TLS failed: ${detail} (check the credential's "secure" mode and port)`, {
      cause: err,
    });
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 400 && e.responseCode < 500)
      return new RetryableError(`${where} answered ${e.responseCode}, try again later: ${detail}`, { cause: err });
    if (e.responseCode >= 500)
      return new FatalError(`${where} refused the message (${e.responseCode}): ${detail}`, { cause: err });
  }
  if (e.code && RETRYABLE_CODES.has(e.code))
    return new RetryableError(`${where} could not be reached: ${detail}`, { cause: err });
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'ECONFIG')
    return new FatalError(`${where}: ${detail}`, { cause: err });
  return new RetryableError(`${where}: ${detail}`, { cause: err });
}

/** A Message-ID that is the same on every retry of a step, so receivers can spot a duplicate. */
export function stableMessageId(idempotencyKey: string, fromAddress: string): string {
  const domain = fromAddress.split('@')[1] || 'apiq.invalid';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}
