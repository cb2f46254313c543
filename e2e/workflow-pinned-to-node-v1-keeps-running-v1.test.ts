import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverNodes } from '@apiq/catalog';
import { testServers } from '@apiq/db/testing';
import { saveWorkflow, WorkflowInvalidError } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { createStaticCatalog, type NodeCatalog } from '@apiq/sdk';

const SDK_DIR = fileURLToPath(new URL('../packages/sdk', import.meta.url));

const HELLO_V1 = `
export const helloV1 = defineNode({
  id: 'greet.hello', version: 1, title: 'Hello', description: 'Greets by name',
  category: 'utility', params: z.strictObject({ name: z.string() }), sideEffects: false,
  run: ({ params }) => ({ output: { greeting: 'Hello, ' + params.name, version: 1 } }),
});`;
// v2 changed its params and output: a breaking change, hence a new major version.
const HELLO_V2 = `
export const helloV2 = defineNode({
  id: 'greet.hello', version: 2, title: 'Hello', description: 'Greets by name, in a style',
  category: 'utility', params: z.strictObject({ who: z.string(), style: z.enum(['warm', 'brief']) }), sideEffects: false,
  run: ({ params }) => ({ output: { message: (params.style === 'warm' ? 'Dear ' : 'Hi ') + params.who, version: 2 } }),
});`;

/** A project whose node_modules holds one release of the plugin apiq-node-greet. */
async function projectWith(version: string, body: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `apiq-greet-${version}-`));
  await mkdir(join(root, 'node_modules', '@apiq'), { recursive: true });
  await symlink(SDK_DIR, join(root, 'node_modules', '@apiq', 'sdk'), 'dir');
  const pkg = join(root, 'node_modules', 'apiq-node-greet');
  await mkdir(pkg);
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'apiq-node-greet', version, type: 'module', apiq: { nodes: ['./index.js'] } }),
  );
  await writeFile(join(pkg, 'index.js'), `import { defineNode, z } from '@apiq/sdk';\n${body}`);
  return root;
}

const graph = (name: string, node: Record<string, unknown>) => ({
  name,
  nodes: [
    { id: 'start', type: 'core.manual_trigger' },
    { id: 'hello', type: 'greet.hello', ...node },
  ],
  edges: [{ source: 'start', target: 'hello' }],
});

// A workflow saved against v1 of a node type keeps running v1 after the plugin's next major
// release installs v2 beside it; new workflows can pin v2; an uninstalled version is refused.
describe('a workflow pinned to a node type version', () => {
  const server = testServers()[0]!;
  const roots: string[] = [];
  let engine: TestEngine;
  let before: NodeCatalog;
  let after: NodeCatalog;

  beforeAll(async () => {
    register(); // plugins under node_modules are loaded by Node itself, through tsx as in `apiq`
    engine = await startTestEngine(server.url, { executor: false });
    const withCore = async (root: string) => {
      roots.push(root);
      const plugins = await discoverNodes(root);
      expect(plugins.problems).toEqual([]);
      return createStaticCatalog([...engine.catalog.list(), ...plugins.list()], plugins.credentialKinds());
    };
    before = await withCore(await projectWith('1.0.0', HELLO_V1));
    after = await withCore(await projectWith('2.0.0', HELLO_V1 + HELLO_V2));
    // The executors run the upgraded installation.
    await engine.startExecutor({ catalog: after });
  });
  afterAll(async () => {
    await engine?.close();
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it('keeps running v1 for a workflow saved before v2 was installed', async () => {
    expect(before.versions('greet.hello')).toEqual([1]);
    expect(after.versions('greet.hello')).toEqual([1, 2]);
    const saved = await saveWorkflow(engine.db, before, graph('old', { version: 1, params: { name: 'Ada' } }));
    const run = await engine.run(saved);
    expect(run.status).toBe('succeeded');
    expect(run.byStep['hello']?.output).toEqual({ greeting: 'Hello, Ada', version: 1 });
  });

  it('treats a node without a version as v1, and runs v2 where a workflow pins it', async () => {
    const unpinned = await saveWorkflow(engine.db, after, graph('unpinned', { params: { name: 'Bo' } }));
    expect((await engine.run(unpinned)).byStep['hello']?.output).toEqual({ greeting: 'Hello, Bo', version: 1 });
    const pinned = await saveWorkflow(
      engine.db,
      after,
      graph('new', { version: 2, params: { who: 'Cy', style: 'warm' } }),
    );
    const run = await engine.run(pinned);
    expect(run.status).toBe('succeeded');
    expect(run.byStep['hello']?.output).toEqual({ message: 'Dear Cy', version: 2 });
  });

  it('validates params against the pinned version and refuses a version that is not installed', async () => {
    const wrongShape = await saveWorkflow(
      engine.db,
      after,
      graph('mixed', { version: 2, params: { name: 'Ada' } }),
    ).catch((e: unknown) => e);
    expect(wrongShape).toBeInstanceOf(WorkflowInvalidError);
    expect((wrongShape as WorkflowInvalidError).issues.map((i) => i.path)).toContain('nodes[1].params.who');
    const missing = await saveWorkflow(engine.db, after, graph('future', { version: 3, params: {} })).catch(
      (e: unknown) => e,
    );
    expect((missing as WorkflowInvalidError).issues[0]?.message).toBe(
      'node "hello": node type "greet.hello" has no version 3 installed (installed: 1, 2)',
    );
  });
});
