import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { startMockServer, type MockServer } from '@apiq/openapi/testing';
import { useEditorSuite } from './editor/harness.ts';
import { apiClient, manualWorkflow } from './editor/api-client.ts';

const require = createRequire(import.meta.url);
const PETSTORE_FILE = require.resolve('@apiq/openapi/specs/petstore.yaml');
const TOKEN = 'e2e-bearer-token-4d2a91c7';
const API_KEY = 'e2e-petstore-key-7f31b0';

describe('connections and the API explorer', () => {
  const s = useEditorSuite();
  const api = () => apiClient(s.app.baseUrl);
  let eventsApi: LocalServer;
  let petstore: MockServer;

  beforeAll(async () => {
    // Stands in for an API with bearer auth: GET /me answers 200 for the right token, 401 otherwise.
    eventsApi = await startLocalServer((req, res) => {
      const ok = req.headers.authorization === `Bearer ${TOKEN}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { user: 'events-bot' } : { error: 'bad token' }));
    });
    petstore = await startMockServer(await readFile(PETSTORE_FILE, 'utf8'));
  });
  afterAll(async () => {
    await eventsApi?.close();
    await petstore?.close();
  });

  it('adds a bearer connection, tests it green, and refuses to delete it while a workflow uses it', async () => {
    const { page } = s;
    await page.goto(s.url('/connections'));
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    await s.ui.screenshot('connections-empty');

    await page.getByRole('button', { name: 'Add connection' }).first().click();
    const picker = page.getByTestId('add-connection-dialog');
    await picker.getByRole('button', { name: 'Swagger Petstore' }).waitFor();
    await s.ui.screenshot('connections-add-picker');
    await picker.getByRole('button', { name: 'Bearer token' }).click();

    const form = page.getByTestId('connection-dialog');
    await form.getByRole('heading', { name: 'New Bearer token connection' }).waitFor();
    // Saving with the token missing names the field and stores nothing.
    await form.getByLabel('Name', { exact: true }).fill('Events API');
    await form.getByLabel('API base URL (optional)').fill(`${eventsApi.origin}/me`);
    await form.getByRole('button', { name: 'Save connection' }).click();
    await form.getByRole('alert').filter({ hasText: 'Token is required' }).waitFor();
    expect(await s.app.db.selectFrom('credentials').select('id').execute()).toEqual([]);
    expect(await form.getByLabel('Token').getAttribute('type')).toBe('password');
    await form.getByLabel('Token').fill(TOKEN);
    await s.ui.screenshot('connections-new-bearer');
    await form.getByRole('button', { name: 'Save connection' }).click();
    await form.waitFor({ state: 'hidden' });

    // Saving tests it right away; the explicit Test shows the outcome and its timing.
    const row = page.getByTestId('connection-row').filter({ hasText: 'Events API' });
    await row.locator('[data-status="ok"]').waitFor();
    await row.getByRole('button', { name: 'Test Events API' }).click();
    await expect.poll(() => row.getByTestId('test-result').textContent()).toMatch(/Passed in \d+ ms · HTTP 200/);
    expect(eventsApi.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await s.ui.screenshot('connections-list-tested');
    expect(await page.content()).not.toContain(TOKEN);

    const [connection] = await api().connections.list.query();
    const { workflowId } = await api().workflows.create.mutate({
      name: 'Nightly events sync',
      graph: manualWorkflow('Nightly events sync', {
        nodes: [
          {
            id: 'fetch',
            type: 'core.http_request',
            version: 1,
            params: { url: `${eventsApi.origin}/events` },
            credentials: { http_bearer: connection!.id },
            position: { x: 560, y: 0 },
          },
        ],
        edges: [{ source: 'shape', target: 'fetch' }],
      }),
    });

    s.ui.allowConsoleError(/status of 409/);
    await row.getByRole('button', { name: 'Actions for Events API' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete connection' }).click();
    const inUse = page.getByTestId('connection-in-use');
    await inUse.getByRole('heading', { name: '“Events API” is still in use' }).waitFor();
    const link = inUse.getByRole('link', { name: 'Nightly events sync' });
    expect(await link.getAttribute('href')).toBe(`/workflows/${workflowId}`);
    await s.ui.screenshot('connections-delete-refused');
    await inUse.getByRole('button', { name: 'Close' }).last().click();
    expect((await api().connections.list.query()).map((c) => c.name)).toEqual(['Events API']);
  });

  it('imports the Petstore spec, finds an operation, sends a test request to a mock and uses it in a workflow', async () => {
    const { page } = s;
    const key = await api().connections.create.mutate({
      name: 'Petstore key',
      kind: 'api_key_header',
      values: { apiKey: API_KEY, headerName: 'api_key' },
    });

    await page.goto(s.url('/apis'));
    await page.getByRole('heading', { name: 'No APIs imported yet' }).waitFor();
    await page.getByRole('button', { name: 'Import an API' }).first().click();
    const dialog = page.getByTestId('import-spec-dialog');
    await dialog.getByRole('tab', { name: 'Upload a file' }).click();
    await dialog.getByLabel('Spec file').setInputFiles(PETSTORE_FILE);
    await dialog.getByLabel('Name (optional)').fill('Petstore');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByTestId('import-result').getByText('19 operations imported').waitFor();
    await s.ui.screenshot('apis-import-result');
    await dialog.getByRole('button', { name: 'Browse operations' }).click();
    await page.waitForURL(/\/apis\/[0-9a-f-]{36}$/);
    const specId = new URL(page.url()).pathname.split('/').pop()!;

    // Grouped by tag; a search narrows the list.
    await page.getByRole('heading', { name: /^store/ }).waitFor();
    expect(await page.getByTestId('operation-row').count()).toBe(19);
    await page.getByRole('searchbox', { name: 'Search operations' }).fill('find pet by id');
    await expect.poll(() => page.getByTestId('operation-row').count()).toBeLessThan(19);
    await page.getByTestId('operation-row').filter({ hasText: '/pet/{petId}' }).first().click();
    await page.getByRole('heading', { name: 'Find pet by ID' }).waitFor();
    await s.ui.screenshot('apis-explorer-operation');

    // The API key connection is picked for this operation; point it at the local mock.
    expect(await page.getByRole('combobox', { name: 'Connection', exact: true }).inputValue()).toBe(key.id);
    await page.getByRole('combobox', { name: 'Server', exact: true }).selectOption({ label: 'Other URL…' });
    await page.getByRole('textbox', { name: 'Server URL' }).fill(petstore.serverUrl);
    await page.getByRole('spinbutton', { name: /petId/ }).fill('10');
    const before = petstore.requests.length;
    await page.getByRole('button', { name: 'Send request' }).click();
    const response = page.getByTestId('response');
    await expect.poll(() => response.getByTestId('response-status').textContent()).toBe('200');
    const sent = petstore.requests.slice(before);
    expect(sent).toHaveLength(1);
    // Prism checked the request against the spec, security included.
    expect(sent[0]).toMatchObject({ method: 'GET', url: '/api/v3/pet/10', status: 200, violations: [] });
    expect(sent[0]!.headers.api_key).toBe(API_KEY);
    await response.getByText('doggie').first().waitFor();
    await s.ui.screenshot('apis-explorer-response', { fullPage: true });
    await response.getByRole('tab', { name: 'Request' }).click();
    await response.getByText('••••••').waitFor();
    expect(await page.content()).not.toContain(API_KEY);

    await page.getByRole('button', { name: 'Use in a workflow' }).click();
    const use = page.getByTestId('use-in-workflow-dialog');
    await use.getByLabel('Name', { exact: true }).fill('Pet lookup');
    await s.ui.screenshot('apis-use-in-workflow');
    await use.getByRole('button', { name: 'Add and open' }).click();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    const workflowId = new URL(page.url()).pathname.split('/').pop()!;
    const workflow = await api().workflows.get.query({ id: workflowId });
    expect(workflow).toMatchObject({ name: 'Pet lookup', draft: false });
    const node = (workflow.graph.nodes as Array<Record<string, unknown>>).find((n) => n.type === 'api.operation');
    expect(node).toMatchObject({
      id: 'get_pet_by_id',
      credentials: { api_key_header: key.id },
      params: {
        operation: { operationId: 'getPetById', specId, serverUrl: petstore.serverUrl },
        args: { path: { petId: 10 }, query: {}, headers: {} },
      },
    });
    expect(workflow.graph.edges).toContainEqual(expect.objectContaining({ source: 'start', target: 'get_pet_by_id' }));
    await page.locator('.svelte-flow__node').filter({ hasText: 'Find pet by ID' }).first().waitFor();
    await s.ui.screenshot('apis-operation-on-canvas');
  });
  it('installs a ready API from the connections page, with the credential preset from its spec', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(s.url('/connections'));
    await page.getByRole('button', { name: 'Add connection' }).first().click();
    await page.getByTestId('add-connection-dialog').getByRole('button', { name: 'Swagger Petstore' }).click();

    const form = page.getByTestId('connection-dialog');
    await form.getByRole('heading', { name: 'New API key (header) connection' }).waitFor();
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('Swagger Petstore');
    expect(await form.getByLabel('Header name (optional)').inputValue()).toBe('api_key');
    expect(await form.getByLabel('API base URL (optional)').inputValue()).toBe('https://petstore3.swagger.io/api/v3');
    await form.getByLabel('API key').fill('ready-key-123456');
    await s.ui.screenshot('connections-ready-petstore-narrow');
    await form.getByRole('button', { name: 'Save connection' }).click();

    await page.waitForURL(/\/apis\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Swagger Petstore', exact: true }).waitFor();
    expect(await page.getByTestId('operation-row').count()).toBe(19);
    const saved = (await api().connections.list.query()).find((c) => c.name === 'Swagger Petstore');
    expect(saved).toMatchObject({ kind: 'api_key_header', metadata: { headerName: 'api_key' } });
    await s.ui.screenshot('apis-explorer-narrow');
  });
});
