import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverNodes, type DiscoveredCatalog } from './discover.ts';

const SDK_DIR = fileURLToPath(new URL('../../sdk', import.meta.url));

/** A node module exporting `greet.hello` at a version, answering with a text. */
const helloModule = (exportName: string, version: number, answer: string) => `
import { defineNode, z } from '@apiq/sdk';
export const ${exportName} = defineNode({
  id: 'greet.hello', version: ${version}, title: 'Hello v${version}', description: 'Says hello',
  category: 'utility', params: z.strictObject({}), sideEffects: false,
  run: () => ({ output: ${JSON.stringify(answer)} }),
});
`;

/** Writes a package: package.json (with `apiq` unless given) and its files. */
async function writePackage(dir: string, pkg: Record<string, unknown>, files: Record<string, string>) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', version: '1.0.0', ...pkg }, null, 2));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

describe('discoverNodes on a project with good and broken plugins', () => {
  let root = '';
  let catalog: DiscoveredCatalog;

  beforeAll(async () => {
    // Packages under node_modules are imported by Node itself, as in `apiq`, which loads TypeScript through tsx.
    register();
    root = await mkdtemp(join(tmpdir(), 'apiq-catalog-'));
    const modules = join(root, 'node_modules');
    await mkdir(join(modules, '@apiq'), { recursive: true });
    // What `npm install` of a plugin brings along: its peer, the SDK.
    await symlink(SDK_DIR, join(modules, '@apiq', 'sdk'), 'dir');
    const nodes = { apiq: { nodes: ['./index.js'] } };
    await writePackage(
      join(modules, 'apiq-node-greet'),
      { name: 'apiq-node-greet', ...nodes },
      {
        'index.js': `${helloModule('hello', 1, 'hello from v1')}
import { defineCredentialKind } from '@apiq/sdk';
export const greetKey = defineCredentialKind({ id: 'greet_key', title: 'Greet key', description: 'A key',
  fields: z.object({ key: z.string() }), secret: ['key'], auth: { type: 'headers', headers: { 'x-key': '{key}' } } });`,
      },
    );
    await writePackage(
      join(modules, 'apiq-node-greet-next'),
      { name: 'apiq-node-greet-next', version: '2.0.0', ...nodes },
      {
        'index.js': helloModule('helloV2', 2, 'hello from v2'),
      },
    );
    await writePackage(
      join(modules, 'apiq-node-hello-clone'),
      { name: 'apiq-node-hello-clone', ...nodes },
      {
        'index.js': helloModule('hello', 1, 'an impostor'),
      },
    );
    await writePackage(
      join(modules, '@acme', 'apiq-node-mixed'),
      { name: '@acme/apiq-node-mixed', ...nodes },
      {
        'index.js': `
import { defineNode, z } from '@apiq/sdk';
export const ok = defineNode({ id: 'acme.ok', title: 'OK', description: 'Works', category: 'utility',
  params: z.object({}), run: () => ({ output: 'ok' }) });
// Not made with defineNode: the catalog checks it all the same.
export const broken = { id: 'Acme-Broken', version: 0, title: '', category: 'misc', params: {}, run: () => null };
export const noRun = { id: 'acme.no_run', version: 1, title: 'No run', description: 'Forgot run', category: 'utility', params: z.object({}) };
export const helper = (x) => x + 1;`,
      },
    );
    await writePackage(
      join(modules, 'apiq-node-throws'),
      { name: 'apiq-node-throws', ...nodes },
      {
        'index.js': `throw new Error('ACME_BASE_URL is not set');`,
      },
    );
    await writePackage(
      join(modules, 'apiq-node-bad-field'),
      { name: 'apiq-node-bad-field', apiq: { nodes: './index.js' } },
      {
        'index.js': '',
      },
    );
    await writePackage(
      join(modules, 'apiq-node-empty'),
      { name: 'apiq-node-empty', ...nodes },
      {
        'index.js': 'export const answer = 42;',
      },
    );
    await writePackage(join(modules, 'left-pad'), { name: 'left-pad' }, { 'index.js': 'export default 1;' });
    // A package being developed inside the project.
    await writePackage(
      join(root, 'nodes', 'local'),
      { name: 'apiq-node-local', ...nodes },
      {
        'index.js': `import { defineNode, z } from '@apiq/sdk';
export const local = defineNode({ id: 'local.thing', title: 'Local thing', description: 'Made here',
  category: 'utility', params: z.object({}), run: () => ({ output: 'local' }) });`,
      },
    );
    catalog = await discoverNodes(root);
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('loads every good definition, from node_modules (scoped too) and nodes/', () => {
    expect(
      catalog
        .list()
        .map((e) => `${e.def.id}@${e.def.version} ${e.source?.packageName}`)
        .sort(),
    ).toEqual([
      'acme.ok@1 @acme/apiq-node-mixed',
      'greet.hello@1 apiq-node-greet',
      'greet.hello@2 apiq-node-greet-next',
      'local.thing@1 apiq-node-local',
    ]);
    expect(catalog.packages).toEqual([
      '@acme/apiq-node-mixed',
      'apiq-node-bad-field',
      'apiq-node-empty',
      'apiq-node-greet',
      'apiq-node-greet-next',
      'apiq-node-hello-clone',
      'apiq-node-local',
      'apiq-node-throws',
    ]);
    expect(catalog.credentialKind('greet_key')).toMatchObject({ title: 'Greet key' });
  });

  it('reports each broken definition with its package, node id and every reason', () => {
    const broken = catalog.problems.find((p) => p.nodeId === 'Acme-Broken');
    expect(broken).toMatchObject({ packageName: '@acme/apiq-node-mixed' });
    expect(broken!.message).toMatch(/id must look like "namespace.snake_case" \(got "Acme-Broken"\)/);
    expect(broken!.message).toMatch(/version must be a positive integer/);
    expect(broken!.message).toMatch(/title is required/);
    expect(broken!.message).toMatch(/params must be a zod schema/);
    expect(catalog.problems.find((p) => p.nodeId === 'acme.no_run')).toMatchObject({
      packageName: '@acme/apiq-node-mixed',
      message: expect.stringMatching(/^run must be a function; /),
    });
  });

  it('reports a module that throws on import, a bad apiq field and a package without definitions', () => {
    expect(catalog.problems).toContainEqual({
      packageName: 'apiq-node-throws',
      message: 'cannot load ./index.js: ACME_BASE_URL is not set',
    });
    expect(catalog.problems).toContainEqual({
      packageName: 'apiq-node-bad-field',
      message: 'package.json "apiq.nodes" must be a list of module paths',
    });
    expect(catalog.problems).toContainEqual({
      packageName: 'apiq-node-empty',
      message: 'declares apiq.nodes but exports no node definitions',
    });
  });

  it('keeps the first of two packages defining the same id@version and reports the other', () => {
    expect(catalog.problems).toContainEqual({
      packageName: 'apiq-node-hello-clone',
      nodeId: 'greet.hello',
      message: 'greet.hello@1 is already defined by apiq-node-greet; this copy is ignored',
    });
    expect(catalog.entry('greet.hello', 1)?.source?.packageName).toBe('apiq-node-greet');
    expect(catalog.problems).toHaveLength(6);
  });

  it('lets two major versions of a type coexist, each runnable', async () => {
    expect(catalog.versions('greet.hello')).toEqual([1, 2]);
    const v2 = catalog.get('greet.hello', 2)!;
    expect(v2.title).toBe('Hello v2');
    expect(await v2.run({} as never)).toEqual({ output: 'hello from v2' });
    expect(catalog.get('greet.hello', 3)).toBeUndefined();
  });
});
