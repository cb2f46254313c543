import { describe, it, expect, afterEach } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { testServers } from '@apiq/db/testing';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<never>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a tRPC error, got ${String(err)}`);
  return err as TRPCClientError<never>;
}

describe('connections procedures', () => {
  let api: ApiTestServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('stores, lists, renames and deletes connections without ever returning a secret', async () => {
    api = await startApiTestServer(server.url, { executor: false });
    const created = await api.trpc.connections.create.mutate({
      name: 'Events API',
      kind: 'http_bearer',
      values: { token: 'canary-secret-9f3a' },
    });
    expect(created).toMatchObject({ name: 'Events API', kind: 'http_bearer', status: 'untested' });
    const listed = await api.trpc.connections.list.query();
    expect(listed.map((c) => c.id)).toEqual([created.id]);
    const renamed = await api.trpc.connections.update.mutate({ id: created.id, name: 'Events' });
    expect(renamed.name).toBe('Events');
    const rest = await fetch(`${api.baseUrl}/api/v1/connections`);
    const text = await rest.text();
    expect(JSON.parse(text)).toMatchObject({ items: [{ id: created.id, name: 'Events' }] });
    expect(JSON.stringify([created, listed, renamed]) + text).not.toContain('canary-secret-9f3a');

    const bad = await rejection(api.trpc.connections.create.mutate({ name: 'x', kind: 'http_bearer', values: {} }));
    expect(bad.data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [expect.objectContaining({ path: 'input.values.token' })],
    });

    await api.trpc.connections.delete.mutate({ id: created.id });
    expect(await api.trpc.connections.list.query()).toEqual([]);
    const gone = await rejection(api.trpc.connections.get.query({ id: created.id }));
    expect(gone.data).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps limits with a connection and shows the breaker state of its host', async () => {
    api = await startApiTestServer(server.url, { executor: false });
    const created = await api.trpc.connections.create.mutate({
      name: 'Limited API',
      kind: 'http_bearer',
      values: { token: 'limited-token-1', baseUrl: 'https://api.limited.example/v1' },
      limits: { requestsPerSecond: 5, concurrency: 2 },
    });
    expect(created.limits).toEqual({ requestsPerSecond: 5, concurrency: 2 });
    const plain = await api.trpc.connections.create.mutate({
      name: 'No base URL',
      kind: 'http_bearer',
      values: { token: 'plain-token-1' },
    });
    expect(plain.limits).toBeNull();

    const healthy = await api.trpc.connections.get.query({ id: created.id });
    expect(healthy.breaker).toEqual({ state: 'closed', failures: 0, openUntil: null });
    // What an executor publishes after five 5xx from the host in a row.
    const openUntil = new Date(Date.now() + 30_000);
    await api.engine.db
      .insertInto('circuit_states')
      .values({
        source: 'executor-1',
        host: 'api.limited.example:443',
        state: 'open',
        failures: 5,
        next_try_at: openUntil,
      })
      .execute();
    const listed = await api.trpc.connections.list.query();
    expect(listed.find((c) => c.id === created.id)?.breaker).toEqual({
      state: 'open',
      failures: 5,
      openUntil: openUntil.toISOString(),
    });
    expect(listed.find((c) => c.id === plain.id)?.breaker).toBeNull();

    const updated = await api.trpc.connections.update.mutate({ id: created.id, limits: { concurrency: 1 } });
    expect(updated.limits).toEqual({ concurrency: 1 });
    expect((await api.trpc.connections.update.mutate({ id: created.id, limits: null })).limits).toBeNull();

    const bad = await rejection(api.trpc.connections.update.mutate({ id: created.id, limits: { concurrency: 0 } }));
    expect(bad.data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [expect.objectContaining({ path: 'input.limits.concurrency' })],
    });
  });

  it('answers "unavailable" when the server runs without the vault', async () => {
    api = await startApiTestServer(server.url, { executor: false, vault: false });
    const err = await rejection(api.trpc.connections.list.query());
    expect(err.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
    const rest = await fetch(`${api.baseUrl}/api/v1/connections`);
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({
      error: 'unavailable',
      message: expect.stringMatching(/without the credential vault/),
    });
  });
});
