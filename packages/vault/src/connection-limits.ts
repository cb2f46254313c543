import { z } from '@apiq/sdk';
import type { ConnectionLimits } from '@apiq/db';
import type { FieldIssue } from './errors.ts';

/**
 * Request limits of a connection, shared by every step that uses it, on every executor: a
 * sustained rate with an optional burst, and a cap on requests in flight. Requests over a limit
 * wait their turn; they do not fail.
 */
export const connectionLimitsSchema = z
  .object({
    requestsPerSecond: z
      .number()
      .positive('must be more than 0')
      .max(10_000, 'at most 10000')
      .optional()
      .describe('Requests per second, sustained (0.5 = one every 2 s)'),
    burst: z
      .number()
      .int('must be a whole number')
      .min(1, 'at least 1')
      .max(10_000, 'at most 10000')
      .optional()
      .describe('Requests that may go out back to back before the rate applies (default 1)'),
    concurrency: z
      .number()
      .int('must be a whole number')
      .min(1, 'at least 1')
      .max(1_000, 'at most 1000')
      .optional()
      .describe('Requests in flight at once'),
  })
  .strict()
  .refine((l) => l.burst === undefined || l.requestsPerSecond !== undefined, {
    path: ['burst'],
    message: 'burst needs requestsPerSecond',
  }) satisfies z.ZodType<ConnectionLimits>;

/**
 * Checks limits given for a connection. `null`, `undefined` and `{}` mean "no limits" (null).
 * Issues name the field (`limits.requestsPerSecond`).
 *
 * @example
 * checkLimits({ requestsPerSecond: 5, concurrency: 2 }); // → { ok: true, limits: { requestsPerSecond: 5, concurrency: 2 } }
 * checkLimits({ concurrency: 0 }); // → { ok: false, issues: [{ path: 'limits.concurrency', message: 'at least 1' }] }
 */
export function checkLimits(
  raw: unknown,
): { ok: true; limits: ConnectionLimits | null } | { ok: false; issues: FieldIssue[] } {
  if (raw === null || raw === undefined) return { ok: true, limits: null };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return {
      ok: false,
      issues: [
        { path: 'limits', message: 'must be an object like { requestsPerSecond, burst, concurrency }, or null' },
      ],
    };
  const parsed = connectionLimitsSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({
        path: ['limits', ...i.path.map(String)].join('.'),
        message:
          i.code === 'unrecognized_keys'
            ? `unknown field(s) ${i.keys.join(', ')}; limits have requestsPerSecond, burst and concurrency`
            : i.message,
      })),
    };
  const limits: ConnectionLimits = {};
  if (parsed.data.requestsPerSecond !== undefined) limits.requestsPerSecond = parsed.data.requestsPerSecond;
  if (parsed.data.burst !== undefined) limits.burst = parsed.data.burst;
  if (parsed.data.concurrency !== undefined) limits.concurrency = parsed.data.concurrency;
  return { ok: true, limits: Object.keys(limits).length === 0 ? null : limits };
}
