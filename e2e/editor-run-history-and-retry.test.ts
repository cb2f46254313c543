import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';
import { apiClient, manualWorkflow, waitForRun } from './editor/api-client.ts';

/** A stand-in inventory API: answers 503 until told to recover, then 200 with JSON. */
function inventoryApi() {
  let healthy = false;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    if (!healthy) {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: 'inventory is down for maintenance' }));
      return;
    }
    res.end(JSON.stringify({ sku: 'A-1', inStock: 7 }));
  });
  return {
    requests,
    recover: () => (healthy = true),
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/stock/A-1`,
    start: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('run history and retry in the editor', () => {
  const s = useEditorSuite();
  const inventory = inventoryApi();
  beforeAll(() => inventory.start());
  afterAll(() => inventory.stop());
  const api = () => apiClient(s.app.baseUrl);

  const stockWorkflow = (name: string) =>
    manualWorkflow(name, {
      nodes: [
        {
          id: 'fetch',
          type: 'core.http_request',
          version: 1,
          name: 'Fetch stock',
          params: { method: 'GET', url: inventory.url() },
          position: { x: 560, y: 0 },
        },
      ],
      edges: [{ source: 'shape', target: 'fetch' }],
    });

  it('finds a failed run in the history, shows the failing step and retries from it', async () => {
    const { page } = s;
    const { workflowId } = await api().workflows.create.mutate({
      name: 'Check stock',
      graph: stockWorkflow('Check stock'),
    });
    const { runId } = await api().runs.start.mutate({ workflowId, input: { sku: 'A-1' } });
    await waitForRun(api(), runId, ['failed']);
    const other = await api().workflows.create.mutate({ name: 'Say hello', graph: manualWorkflow('Say hello') });
    await waitForRun(api(), (await api().runs.start.mutate({ workflowId: other.workflowId })).runId, ['succeeded']);

    // Across workflows, then only the failed ones.
    await page.goto(s.url('/runs'));
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2);
    await s.ui.screenshot('runs-history');
    await page.getByRole('button', { name: 'failed', exact: true }).click();
    await page.waitForURL(/status=failed/);
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);
    expect(await page.getByTestId('run-row').getAttribute('data-run-id')).toBe(runId);
    expect(await page.getByTestId('run-row').innerText()).toMatch(/fetch.*503/s);

    // The run as it ran: the failed step is named, its error shown.
    await page.getByTestId('run-row').getByRole('link').click();
    await page.waitForURL(`**/runs/${runId}`);
    await page.getByTestId('run-error').waitFor();
    expect(await page.getByTestId('run-error').innerText()).toMatch(/Fetch stock.*failed/s);
    expect(await page.locator('[data-testid="timeline-step"][data-step-id="fetch"]').getAttribute('data-status')).toBe(
      'failed',
    );
    await page.getByTestId('step-error').waitFor();
    await s.ui.screenshot('run-failed');

    // The API recovers; retry continues from the failed step and the page follows it live.
    inventory.recover();
    await page.getByRole('button', { name: 'Retry from failed step' }).click();
    await expect
      .poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('succeeded');
    const fetchEntry = page.locator('[data-testid="timeline-step"][data-step-id="fetch"]');
    await expect.poll(() => fetchEntry.getAttribute('data-status')).toBe('succeeded');
    expect(await fetchEntry.innerText()).toContain('2 attempts');
    await s.ui.screenshot('run-retried');
    await page.setViewportSize({ width: 1024, height: 700 });
    await s.ui.screenshot('run-retried-narrow');

    const attempts = await s.app.db
      .selectFrom('step_attempts')
      .select(['step_id', 'attempt', 'status'])
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    expect(attempts.filter((a) => a.step_id === 'start')).toHaveLength(1);
    expect(attempts.filter((a) => a.step_id === 'fetch').map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(inventory.requests).toEqual(['GET /stock/A-1', 'GET /stock/A-1']);
  });

  it('shows new runs as they happen and pages through older ones', async () => {
    const { page } = s;
    const { workflowId } = await api().workflows.create.mutate({ name: 'Busy', graph: manualWorkflow('Busy') });
    const first = await Promise.all(Array.from({ length: 52 }, () => api().runs.start.mutate({ workflowId })));
    await Promise.all(first.map((r) => waitForRun(api(), r.runId, ['succeeded'], 60_000)));

    await page.goto(s.url(`/runs?workflow=${workflowId}`));
    await page.getByRole('heading', { name: 'Runs of “Busy”' }).waitFor();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(52);
    await page.getByText('52 runs — that is all.').waitFor();

    // A run started elsewhere appears without reloading the page.
    const { runId } = await api().runs.start.mutate({ workflowId });
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-row').first().getAttribute('data-run-id')).toBe(runId);
  });

  it('cancels a waiting run from the run view', async () => {
    const { page } = s;
    const graph = manualWorkflow('Waits a minute', {
      nodes: [
        {
          id: 'pause',
          type: 'core.wait',
          version: 1,
          params: { mode: 'duration', durationMs: 60_000 },
          position: { x: 560, y: 0 },
        },
      ],
      edges: [{ source: 'shape', target: 'pause' }],
    });
    const { workflowId } = await api().workflows.create.mutate({ name: 'Waits a minute', graph });
    const { runId } = await api().runs.start.mutate({ workflowId });
    await waitForRun(api(), runId, ['waiting']);
    await page.goto(s.url(`/runs/${runId}`));
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status')).toBe('waiting');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status')).toBe('cancelled');
    expect((await api().runs.get.query({ id: runId })).status).toBe('cancelled');
    await page.getByRole('button', { name: 'Retry from failed step' }).waitFor();
  });
});
