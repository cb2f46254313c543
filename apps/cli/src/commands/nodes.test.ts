import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Result> {
  // A clean environment: the child must not think it runs inside this test's Vitest worker.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VITEST')) env[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...env, APIQ_LOG_LEVEL: 'silent', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A project outside the repository that uses APIQ as a plugin author would: the scaffold lives in
// plugins/, and node_modules holds what `npm install` would put there (the SDK, vitest, the plugin).
describe('apiq nodes new / list', () => {
  let project = '';
  let plugin = '';
  const apiq = (...args: string[]) => exec([BIN, ...args], { cwd: project, env: { APIQ_ROOT: project } });

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'apiq-plugin-project-'));
    plugin = join(project, 'plugins', 'acme-tickets');
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-apiq', private: true }));
    await mkdir(join(project, 'node_modules', '@apiq'), { recursive: true });
    await symlink(join(REPO, 'packages', 'sdk'), join(project, 'node_modules', '@apiq', 'sdk'), 'dir');
    await symlink(join(REPO, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
  });
  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('refuses a name that is not kebab-case, with exit code 2', async () => {
    const r = await apiq('nodes', 'new', 'Acme_Tickets', '--dir', join(project, 'plugins', 'bad'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node package name "Acme_Tickets" must be lower-case words joined by "-".*"acme-tickets"/);
    await expect(readdir(join(project, 'plugins')).catch(() => [])).resolves.toEqual([]);
  });

  it('scaffolds a package with the apiq field, one action with a credential kind, a test, README and icon', async () => {
    const r = await apiq('nodes', 'new', 'acme-tickets', '--dir', plugin);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created apiq-node-acme-tickets in plugins\/acme-tickets/);
    expect(r.stdout).toMatch(/acme_tickets\.get_item@1/);
    expect((await readdir(plugin)).sort()).toEqual([
      '.prettierrc.json',
      'README.md',
      'icon.svg',
      'package.json',
      'src',
      'tsconfig.json',
    ]);
    expect((await readdir(join(plugin, 'src'))).sort()).toEqual(['index.test.ts', 'index.ts']);
    const pkg = JSON.parse(await readFile(join(plugin, 'package.json'), 'utf8')) as Record<string, unknown>;
    // The published SDK's range: what a plugin author outside this repository installs from npm.
    const sdk = JSON.parse(await readFile(join(REPO, 'packages', 'sdk', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(sdk.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg).toMatchObject({
      name: 'apiq-node-acme-tickets',
      type: 'module',
      apiq: { nodes: ['./src/index.ts'] },
      scripts: { test: 'vitest run', typecheck: 'tsc --noEmit' },
      peerDependencies: { '@apiq/sdk': `^${sdk.version}` },
      devDependencies: {
        '@apiq/sdk': `^${sdk.version}`,
        '@types/node': expect.any(String),
        typescript: expect.any(String),
      },
    });
    expect(await readFile(join(plugin, 'icon.svg'), 'utf8')).toMatch(/^<svg /);
    expect(await readFile(join(plugin, 'README.md'), 'utf8')).toMatch(/npm install apiq-node-acme-tickets/);
    expect(await readdir(join(project, 'plugins'))).toEqual(['acme-tickets']); // no staging left behind
  });

  it('refuses to write over a directory that is not empty', async () => {
    const r = await apiq('nodes', 'new', 'acme-tickets', '--dir', plugin);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists and is not empty; choose another name or --dir/);
  });

  it('passes its own test, which runs the node against a local server', async () => {
    const r = await exec([join(REPO, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
      cwd: plugin,
      env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(r.stderr + r.stdout).toMatch(/Tests\s+3 passed/);
    expect(r.code).toBe(0);
  }, 120_000);

  it('appears among the installed node types once installed, and a broken plugin is reported beside it', async () => {
    await symlink(plugin, join(project, 'node_modules', 'apiq-node-acme-tickets'), 'dir');
    const listed = await apiq('nodes', 'list', '--json');
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.stdout) as {
      nodes: Array<{ type: string; version: number; package: string }>;
      credentialKinds: Array<{ id: string }>;
      problems: unknown[];
    };
    expect(json.nodes).toContainEqual(
      expect.objectContaining({ type: 'acme_tickets.get_item', version: 1, package: 'apiq-node-acme-tickets' }),
    );
    expect(json.credentialKinds.map((k) => k.id)).toContain('acme_tickets');
    expect(json.problems).toEqual([]);

    const broken = join(project, 'node_modules', 'apiq-node-broken');
    await mkdir(broken);
    await writeFile(
      join(broken, 'package.json'),
      JSON.stringify({ name: 'apiq-node-broken', type: 'module', apiq: { nodes: ['./index.js'] } }),
    );
    await writeFile(
      join(broken, 'index.js'),
      `import { z } from '@apiq/sdk';
export const bad = { id: 'broken.thing', version: 1, title: 'Broken', description: 'x', category: 'nonsense', params: z.object({}), run: () => null };`,
    );
    const text = await apiq('nodes', 'list');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^acme_tickets\.get_item@1\s+app\s+Get item \(Acme Tickets\)\s+apiq-node-acme-tickets$/m,
    );
    expect(text.stderr).toMatch(/1 problem:\n\s+apiq-node-broken \(broken\.thing\): category must be one of trigger, /);
  }, 60_000);
});
