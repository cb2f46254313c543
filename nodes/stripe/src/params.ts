import { z } from '@apiq/sdk';

export const limitParam = (fallback: number) =>
  z
    .number({ error: 'limit must be a number of items' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(1000, 'limit must be at most 1000; use cursor to read further')
    .default(fallback)
    .describe('Most items to return (pages are followed up to this many)');

export const cursorParam = z
  .string()
  .regex(/^[A-Za-z0-9_]+$/, 'cursor must be an object id from a previous list (its nextCursor), e.g. "ch_3MmlLr…"')
  .optional()
  .describe('Continue a previous list: its nextCursor output (Stripe starting_after)');

export const isoDate = (label: string) =>
  z
    .string()
    .refine(
      (s) => !Number.isNaN(Date.parse(s)),
      `${label} must be a date such as "2026-01-31" or "2026-01-31T09:00:00Z"`,
    )
    .optional();

export const customerParam = z
  .string()
  .regex(/^cus_[A-Za-z0-9]+$/, 'customer must be a Stripe customer id such as "cus_NffrFeUfNV2Hib"')
  .optional()
  .describe('Customer id, e.g. "cus_NffrFeUfNV2Hib"');

export const metadataParam = z
  .record(z.string().max(40, 'metadata keys are at most 40 characters'), z.string().max(500))
  .optional()
  .describe('Your own key-value pairs stored on the object, e.g. { "orderId": "42" }');
