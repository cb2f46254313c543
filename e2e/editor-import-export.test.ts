import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';
import { apiClient, manualWorkflow } from './editor/api-client.ts';

describe('importing and exporting workflows in the editor', () => {
  const s = useEditorSuite({ workers: 0 });
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'apiq-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const row = (name: string) => s.page.getByTestId('workflow-row').filter({ hasText: name });
  const dialog = () => s.page.getByTestId('import-dialog');
  const workflowNames = async () =>
    (await s.app.db.selectFrom('workflows').select('name').execute()).map((w) => w.name).sort();
  const openImport = async () => {
    await s.page.goto(s.url('/workflows'));
    await s.page
      .getByRole('button', { name: /^Import/ })
      .first()
      .click();
    await dialog().getByRole('heading', { name: 'Import workflow' }).waitFor();
  };

  it('imports a workflow file chosen with the file picker', async () => {
    const file = path.join(dir, 'from-file.json');
    await writeFile(file, JSON.stringify(manualWorkflow('Imported from a file'), null, 2));
    await openImport();
    await s.page.getByTestId('import-file').setInputFiles(file);
    await dialog().getByText('From from-file.json').waitFor();
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await row('Imported from a file').waitFor();
    await s.page.getByTestId('toast').filter({ hasText: 'Imported “Imported from a file”' }).waitFor();
    const versions = await s.app.db
      .selectFrom('workflows as w')
      .innerJoin('workflow_versions as v', 'v.workflow_id', 'w.id')
      .select(['w.name', 'v.version'])
      .where('w.name', '=', 'Imported from a file')
      .execute();
    expect(versions).toEqual([{ name: 'Imported from a file', version: 1 }]);
  });

  it('says where pasted JSON is broken and imports nothing', async () => {
    const before = await workflowNames();
    await openImport();
    await s.page.getByRole('textbox', { name: 'Workflow JSON' }).fill('{\n  "name": "Broken",\n  nodes: []\n}');
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    const error = s.page.getByTestId('import-error');
    await error.waitFor();
    expect(await error.innerText()).toContain(
      'Not valid JSON: unexpected "n" where a "quoted" property name should be at line 3, column 3.',
    );
    await s.ui.screenshot('import-invalid-json');
    expect(await workflowNames()).toEqual(before);
  });

  it('lists the located problems of a graph the server refuses, and imports nothing', async () => {
    s.ui.allowConsoleError(/status of 400/);
    const before = await workflowNames();
    const graph = manualWorkflow('Refused', {
      nodes: [{ id: 'mystery', type: 'acme.does_not_exist', version: 1, params: {} }],
      edges: [{ source: 'shape', target: 'mystery' }],
    });
    await openImport();
    await s.page.getByRole('textbox', { name: 'Workflow JSON' }).fill(JSON.stringify(graph));
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    const error = s.page.getByTestId('import-error');
    await error.waitFor();
    const text = await error.innerText();
    expect(text).toMatch(/Nothing imported/);
    expect(text).toContain('nodes[2]');
    expect(text).toMatch(/acme\.does_not_exist/);
    await s.ui.screenshot('import-invalid-graph');
    expect(await workflowNames()).toEqual(before);
  });

  it('imports from the clipboard and from a file dropped on the list', async () => {
    await openImport();
    const pasted = JSON.stringify(manualWorkflow('Pasted from the clipboard'));
    await s.page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(pasted)})`);
    await dialog().getByRole('button', { name: 'Paste from clipboard' }).click();
    await dialog().getByText('From the clipboard').waitFor();
    expect(await s.page.getByRole('textbox', { name: 'Workflow JSON' }).inputValue()).toBe(pasted);
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await row('Pasted from the clipboard').waitFor();

    const dropped = JSON.stringify(manualWorkflow('Dropped on the list'));
    await s.page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File([${JSON.stringify(dropped)}], 'dropped.json', { type: 'application/json' }));
      for (const type of ['dragover', 'drop'])
        window.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    await row('Dropped on the list').waitFor();
    expect(await workflowNames()).toEqual(expect.arrayContaining(['Pasted from the clipboard', 'Dropped on the list']));
  });

  it('exports a workflow as a file and to the clipboard, and the export imports back into the same workflow', async () => {
    const api = apiClient(s.app.baseUrl);
    const { workflowId } = await api.workflows.create.mutate({
      name: 'Export me',
      graph: manualWorkflow('Export me'),
    });
    await s.page.goto(s.url('/workflows'));
    await s.page.getByRole('button', { name: 'Actions for Export me' }).click();
    const [download] = await Promise.all([
      s.page.waitForEvent('download'),
      s.page.getByRole('menuitem', { name: 'Download JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('export-me.apiq.json');
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const bundle = JSON.parse(await readFile(file, 'utf8'));
    expect(bundle).toMatchObject({ apiq: 1, workflows: [{ id: workflowId, graph: { name: 'Export me' } }] });

    await s.page.getByRole('button', { name: 'Actions for Export me' }).click();
    await s.page.getByRole('menuitem', { name: 'Copy JSON' }).click();
    await s.page.getByTestId('toast').filter({ hasText: 'Workflow JSON copied to the clipboard' }).waitFor();
    const copied = JSON.parse(String(await s.page.evaluate('navigator.clipboard.readText()')));
    expect(copied.workflows[0].graph).toEqual(bundle.workflows[0].graph);

    const count = (await workflowNames()).length;
    await openImport();
    await s.page.getByTestId('import-file').setInputFiles(file);
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await s.page.getByTestId('toast').filter({ hasText: 'Imported “Export me”' }).waitFor();
    expect((await workflowNames()).length).toBe(count);
  });

  it('explains that a workflow without a valid version cannot be exported yet', async () => {
    s.ui.allowConsoleError(/status of 409/);
    await apiClient(s.app.baseUrl).workflows.create.mutate({ name: 'Nothing saved yet' });
    await s.page.goto(s.url('/workflows'));
    await s.page.getByRole('button', { name: 'Actions for Nothing saved yet' }).click();
    await s.page.getByRole('menuitem', { name: 'Download JSON' }).click();
    const toast = s.page.getByTestId('toast').filter({ hasText: 'no valid saved version' });
    await toast.waitFor();
    expect(await toast.getAttribute('data-kind')).toBe('error');
  });
});
