import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@apiq/api';

/**
 * The app's own tRPC API, called over HTTP the way the editor calls it: for seeding workflows and
 * runs in browser suites (never a mock, never a shortcut into the database).
 *
 * @example
 * const api = apiClient(app.baseUrl);
 * const { workflowId } = await api.workflows.create.mutate({ name: 'Orders', graph });
 */
export function apiClient(baseUrl: string) {
  // Same-origin like the browser: state-changing calls must carry the app's Origin.
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/api/trpc`, headers: { origin: new URL(baseUrl).origin } })],
  });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A valid workflow: a manual trigger and a Set step, optionally more nodes after the trigger. */
export function manualWorkflow(name: string, extra: { nodes?: object[]; edges?: object[] } = {}) {
  return {
    apiq: 1,
    name,
    nodes: [
      { id: 'start', type: 'core.manual_trigger', version: 1, params: {}, position: { x: 0, y: 0 } },
      {
        id: 'shape',
        type: 'core.set',
        version: 1,
        name: 'Shape message',
        params: { fields: { text: 'hello' } },
        position: { x: 280, y: 0 },
      },
      ...(extra.nodes ?? []),
    ],
    edges: [{ source: 'start', target: 'shape' }, ...(extra.edges ?? [])],
  };
}

/** Waits until a run reaches one of `statuses` (polling the API), and returns it. */
export async function waitForRun(api: ApiClient, id: string, statuses: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await api.runs.get.query({ id });
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline)
      throw new Error(`run ${id} is ${run.status} after ${timeoutMs} ms; expected ${statuses.join(' or ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
