import { z } from 'zod';
import { procedure, router } from '../trpc.ts';
import { Id, IdInput } from '../schemas.ts';
import { connectionLimitsSchema } from '@apiq/vault';
import { connections } from '../services/connections.ts';

const Limits = connectionLimitsSchema
  .nullable()
  .optional()
  .describe(
    'Request limits shared by every step using the connection, on every executor: { requestsPerSecond, burst, concurrency }; null removes them. Requests over a limit wait their turn.',
  );

export const ConnectionCreateInput = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(200),
  kind: z.string().min(1).describe('Credential kind id, e.g. http_bearer, github'),
  values: z.record(z.string(), z.unknown()).describe("The kind's fields (see catalog.credentialKinds)"),
  limits: Limits,
});
export const ConnectionUpdateInput = z.object({
  id: Id,
  name: z.string().trim().min(1).max(200).optional(),
  values: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Merged over the stored values (how a secret is rotated)'),
  limits: Limits.describe('Replaces the limits as a whole; null removes them; absent keeps them'),
});

/**
 * Connections (stored credentials). Answers carry metadata only (`{ id, name, kind, kindTitle,
 * metadata, limits, status, lastTestedAt, lastError, ... }`): secret values are never returned.
 * `limits`: `{ requestsPerSecond?, burst?, concurrency? }` or null (unlimited).
 * SERVICE_UNAVAILABLE when the server runs without the vault.
 */
export const connectionsRouter = router({
  /**
   * Every connection of the workspace, each with `breaker`: the circuit breaker of its API's host
   * (`{ state: 'closed' | 'open' | 'half_open', failures, openUntil: ISO string | null }`) as the
   * executors last reported it (within a few seconds), or null when the connection has no base URL.
   */
  list: procedure.query(({ ctx }) => connections.list(ctx)),
  /** One connection, with `limits` and `breaker` as in `list`. */
  get: procedure.input(IdInput).query(({ ctx, input }) => connections.get(ctx, input.id)),
  /**
   * BAD_REQUEST with `issues` (`input.values.token`, `input.limits.concurrency`) when values or
   * limits are invalid; nothing is stored then.
   */
  create: procedure.input(ConnectionCreateInput).mutation(({ ctx, input }) => connections.create(ctx, input)),
  /** Renames, rotates values and/or replaces limits; nothing is written when any of it is invalid. */
  update: procedure
    .input(ConnectionUpdateInput)
    .mutation(({ ctx, input }) =>
      connections.update(ctx, input.id, { name: input.name, values: input.values, limits: input.limits }),
    ),
  /** CONFLICT naming the workflows that still use it. */
  delete: procedure.input(IdInput).mutation(({ ctx, input }) => connections.delete(ctx, input.id)),
  /** `{ workflows: [{ id, name }] }`: the workflows whose active or latest version uses it (they block deleting it). */
  usage: procedure.input(IdInput).query(({ ctx, input }) => connections.usage(ctx, input.id)),
  /** Makes the kind's test call with the stored values: `{ ok, status?, message }`. */
  test: procedure.input(IdInput).mutation(({ ctx, input }) => connections.test(ctx, input.id)),
});
