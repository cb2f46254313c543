import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '@apiq/api';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { useEditorSuite } from './editor/harness.ts';
import { waitForRun } from './editor/api-client.ts';

/** The app's tRPC API as the editor calls it (same origin, so mutations pass the Origin check). */
const apiClient = (baseUrl: string) =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/api/trpc`, headers: { origin: baseUrl } })] });

// The monitoring page against a real app (web + worker processes): figures from real runs,
// the live run stream, connection health, and alert rules made, fired and muted in the UI.
describe('the monitoring page', () => {
  const s = useEditorSuite({ env: { APIQ_ALERTS_EVERY_MS: '300' } });
  const api = () => apiClient(s.app.baseUrl);
  let stub: LocalServer;
  let receiver: LocalServer;
  const workflows: Record<string, string> = {};

  beforeAll(async () => {
    stub = await startLocalServer((req, res) => {
      if (req.url?.startsWith('/missing')) return void res.writeHead(404).end('{"error":"no such invoice"}');
      if (req.headers.authorization === 'Bearer revoked')
        return void res.writeHead(401).end('{"error":"token revoked"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    receiver = await startLocalServer((_req, res) => {
      res.end('ok');
    });
  });
  afterAll(async () => {
    await Promise.all([stub?.close(), receiver?.close()]);
  });

  const httpWorkflow = (name: string, path: string) => ({
    apiq: 1,
    name,
    nodes: [
      { id: 'start', type: 'core.manual_trigger', version: 1, params: {}, position: { x: 0, y: 0 } },
      {
        id: 'call_api',
        type: 'core.http_request',
        version: 1,
        params: { url: `${stub.origin}${path}` },
        position: { x: 280, y: 0 },
      },
    ],
    edges: [{ source: 'start', target: 'call_api' }],
  });

  const runAndWait = async (name: string, status: 'succeeded' | 'failed') => {
    const { runId } = await api().runs.start.mutate({ workflowId: workflows[name]! });
    await waitForRun(api(), runId, [status]);
    return runId;
  };

  it('shows success rate, durations, slowest steps and connection health from real runs', async () => {
    for (const [name, path] of [
      ['Orders sync', '/orders'],
      ['Invoice export', '/missing'],
    ] as const) {
      const created = await api().workflows.create.mutate({ name, graph: httpWorkflow(name, path) });
      workflows[name] = created.workflowId;
    }
    await runAndWait('Orders sync', 'succeeded');
    await runAndWait('Orders sync', 'succeeded');
    await runAndWait('Invoice export', 'failed');
    const revoked = await api().connections.create.mutate({
      name: 'Billing API',
      kind: 'http_bearer',
      values: { token: 'revoked', baseUrl: stub.origin },
    });
    expect((await api().connections.test.mutate({ id: revoked.id })).ok).toBe(false);

    const { page } = s;
    await page.goto(s.url('/monitoring'));
    await page.getByRole('heading', { name: 'Monitoring', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('kpi-runs').innerText()).toContain('3');
    expect(await page.getByTestId('kpi-success-rate').innerText()).toContain('66.7%');
    expect(await page.getByTestId('kpi-failed').innerText()).toContain('1');
    await page.getByTestId('kpi-health').getByText('Healthy').waitFor();

    const rows = page.getByTestId('workflow-stat');
    expect(await rows.count()).toBe(2);
    expect(await rows.filter({ hasText: 'Orders sync' }).innerText()).toMatch(/Orders sync\s+2\s+100%/);
    expect(await rows.filter({ hasText: 'Invoice export' }).innerText()).toMatch(/Invoice export\s+1\s+0%/);
    expect(await page.getByTestId('slowest-steps').innerText()).toContain('call_api');

    const connection = page.getByTestId('connection-row').filter({ hasText: 'Billing API' });
    expect(await connection.getAttribute('data-status')).toBe('error');
    expect(await connection.innerText()).toMatch(/Down[\s\S]*401/);
    await s.ui.screenshot('monitoring', { fullPage: true });

    // The live stream shows a run started while the page is open, without a reload.
    await page.getByText(/^live$/).waitFor();
    const runId = await runAndWait('Orders sync', 'succeeded');
    await page.getByTestId('live-runs').locator(`a[href="/runs/${runId}"]`).first().waitFor();
    await expect.poll(() => page.getByTestId('kpi-runs').innerText()).toContain('4');
  });

  it('creates an alert rule that fires once on a failed run, shows it in the history, and mutes it', async () => {
    const { page } = s;
    await page.goto(s.url('/monitoring'));
    await page.getByRole('button', { name: 'New alert rule' }).first().click();
    const dialog = page.getByTestId('alert-rule-dialog');
    await dialog.getByLabel('Name').fill('Invoices failing');
    await dialog.getByLabel('Watch').selectOption({ label: 'Invoice export' });
    await dialog.getByLabel('When').selectOption({ label: 'A run fails' });
    // A wrong email is refused next to its field, and nothing is stored.
    await dialog.getByLabel('Channel 1 target').fill('not-an-email');
    await s.ui.screenshot('monitoring-alert-rule-dialog');
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'target must be an email address' }).waitFor();
    expect(await api().alerts.list.query()).toEqual([]);

    await dialog.getByLabel('Channel 1 type').selectOption({ label: 'Webhook' });
    await dialog.getByLabel('Channel 1 target').fill(`${receiver.origin}/alerts`);
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    const rule = page.getByTestId('alert-rule').filter({ hasText: 'Invoices failing' });
    await rule.waitFor();
    expect(await rule.innerText()).toMatch(/Invoice export[\s\S]*The latest run failed[\s\S]*Webhook 127\.0\.0\.1/);

    // The latest run of Invoice export failed already (in the first test): the condition holds, so it fires now.
    await page.getByTestId('alert-event').filter({ hasText: 'Invoices failing' }).first().waitFor({ timeout: 20_000 });
    const event = page.getByTestId('alert-event').first();
    expect(await event.innerText()).toMatch(
      /Run [0-9a-f-]{36} of "Invoice export" failed at step "call_api": GET .*404/,
    );
    expect(await event.innerText()).toMatch(/webhook[\s\S]*open/);
    await rule.getByText('Firing').waitFor();
    await expect.poll(() => receiver.requests.length).toBe(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
      type: 'apiq.alert',
      rule: { name: 'Invoices failing' },
    });

    // Fires once: another failure while the first event is open sends nothing more. A second rule
    // (2 failures in 10 minutes) fires on that same failure: proof an evaluation saw it.
    await api().alerts.create.mutate({
      name: 'Second failure seen',
      condition: { kind: 'failures_in_window', count: 2, minutes: 10 },
      channels: [],
    });
    await runAndWait('Invoice export', 'failed');
    await page.getByTestId('alert-event').filter({ hasText: 'Second failure seen' }).waitFor({ timeout: 20_000 });
    const history = await api().alerts.history.query({ limit: 10 });
    expect(history.filter((e) => e.ruleName === 'Invoices failing').map((e) => e.resolvedAt)).toEqual([null]);
    expect(receiver.requests).toHaveLength(1);

    await rule.getByRole('button', { name: 'Mute 1 h' }).click();
    await rule.getByText(/Muted until/).waitFor();
    const [stored] = await api().alerts.list.query();
    expect(Date.parse(stored!.mutedUntil!)).toBeGreaterThan(Date.now() + 3_500_000);
    await s.ui.screenshot('monitoring-alerts', { fullPage: true });
  });
});
