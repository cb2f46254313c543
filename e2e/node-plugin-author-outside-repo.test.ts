import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A plugin author outside this repository: the SDK built and packed as it would be published,
// a package scaffolded by the real `apiq nodes new`, installed with npm from those tarballs (its
// other dependencies from the npm cache or registry), then tested and type-checked on its own.

const REPO = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(REPO, 'apps', 'cli', 'bin', 'apiq.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// npm settings a user has (cache, registry, proxies) pass through; what a surrounding `npm test`
// sets about this repository (prefix, package, lifecycle) and the Vitest worker's variables do not.
const KEPT_NPM_CONFIG = /^npm_config_(cache|registry|userconfig|globalconfig|.*proxy|cafile|ca|strict_ssl)$/i;
function outsideEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('VITEST') || k.startsWith('TINYPOOL')) continue;
    if (['NODE_OPTIONS', 'NODE_PATH', 'INIT_CWD'].includes(k)) continue;
    if (/^npm_/i.test(k) && !KEPT_NPM_CONFIG.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', npm_config_update_notifier: 'false' };
}

function exec(cmd: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: outsideEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const shown = (r: Result) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
const isInside = (dir: string, file: string) => !relative(dir, file).startsWith('..');

describe('a plugin author outside the repository installs the published SDK and tests a node package', () => {
  let tmp = '';
  let plugin = '';
  let sdkVersion = '';
  let httpVersion = '';
  const tarballs: Record<string, string> = {};

  beforeAll(async () => {
    tmp = realpathSync(await mkdtemp(join(tmpdir(), 'apiq-plugin-author-')));
    plugin = join(tmp, 'acme-tickets');
    sdkVersion = String((await readJson(join(REPO, 'packages', 'sdk', 'package.json'))).version);
    httpVersion = String((await readJson(join(REPO, 'packages', 'http', 'package.json'))).version);
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('works in a folder that shares nothing with the repository', () => {
    expect(isInside(REPO, tmp)).toBe(false);
    expect(isInside(tmp, REPO)).toBe(false);
  });

  it('builds @apiq/http and @apiq/sdk into compiled, public packages and packs them', async () => {
    const built = join(tmp, 'built');
    const build = await exec(
      process.execPath,
      ['--import', 'tsx', 'scripts/build-package.ts', 'packages/http', 'packages/sdk', '--out-dir', built],
      REPO,
    );
    expect(build.code, shown(build)).toBe(0);
    expect(build.stdout).toMatch(/built @apiq\/http → .*\n.*built @apiq\/sdk → /);

    const sdk = await readJson(join(built, 'sdk', 'package.json'));
    expect(sdk).toMatchObject({
      name: '@apiq/sdk',
      version: sdkVersion,
      type: 'module',
      license: 'MIT',
      exports: {
        '.': { types: './index.d.ts', default: './index.js' },
        './testing': { types: './testing.d.ts', default: './testing.js' },
      },
      dependencies: { '@apiq/http': `^${httpVersion}` },
      publishConfig: { access: 'public' },
    });
    expect(sdk).not.toHaveProperty('private');
    expect(await readJson(join(built, 'http', 'package.json'))).toMatchObject({
      name: '@apiq/http',
      exports: { './testing': { types: './testing/index.d.ts', default: './testing/index.js' } },
    });
    // Declarations import the compiled files, not the TypeScript sources.
    expect(await readFile(join(built, 'sdk', 'testing.d.ts'), 'utf8')).toMatch(/from "\.\/types\.js"/);

    const packs = join(tmp, 'packs');
    await mkdir(packs);
    const pack = await exec(
      'npm',
      ['pack', join(built, 'http'), join(built, 'sdk'), '--pack-destination', packs, '--json'],
      tmp,
    );
    expect(pack.code, shown(pack)).toBe(0);
    const packed = JSON.parse(pack.stdout) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
    for (const p of packed) tarballs[p.name] = join(packs, p.filename);
    expect(Object.keys(tarballs).sort()).toEqual(['@apiq/http', '@apiq/sdk']);
    const sdkFiles = packed.find((p) => p.name === '@apiq/sdk')!.files.map((f) => f.path);
    expect(sdkFiles).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'index.js', 'index.d.ts', 'testing.js']),
    );
    expect(sdkFiles.filter((f) => /\.test\.|(?<!\.d)\.ts$/.test(f))).toEqual([]);
  }, 120_000);

  it('scaffolds a node package with the real CLI, asking for the published SDK version', async () => {
    const r = await exec(process.execPath, [CLI, 'nodes', 'new', 'acme-tickets', '--dir', plugin], tmp);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/Created apiq-node-acme-tickets in acme-tickets/);
    expect(await readJson(join(plugin, 'package.json'))).toMatchObject({
      peerDependencies: { '@apiq/sdk': `^${sdkVersion}` },
      devDependencies: { '@apiq/sdk': `^${sdkVersion}` },
    });
  }, 60_000);

  it('installs the SDK tarballs with npm, resolving everything inside its own node_modules', async () => {
    const started = Date.now();
    const install = await exec(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--save-dev',
        tarballs['@apiq/http']!,
        tarballs['@apiq/sdk']!,
      ],
      plugin,
    );
    expect(install.code, shown(install)).toBe(0);
    process.stdout.write(`npm install of the plugin took ${Date.now() - started} ms\n`);
    // The package still asks its users for the published SDK.
    expect((await readJson(join(plugin, 'package.json'))).peerDependencies).toEqual({
      '@apiq/sdk': `^${sdkVersion}`,
    });

    const resolveFrom = async (dir: string, specifiers: string[]) => {
      const r = await exec(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          'console.log(JSON.stringify(process.argv.slice(1).map((s) => import.meta.resolve(s))))',
          ...specifiers,
        ],
        dir,
      );
      expect(r.code, shown(r)).toBe(0);
      return (JSON.parse(r.stdout) as string[]).map((url) => realpathSync(fileURLToPath(url)));
    };
    const modules = join(plugin, 'node_modules');
    const [sdk, sdkTesting, vitest] = await resolveFrom(plugin, ['@apiq/sdk', '@apiq/sdk/testing', 'vitest']);
    expect(sdk).toBe(join(modules, '@apiq', 'sdk', 'index.js'));
    expect(sdkTesting).toBe(join(modules, '@apiq', 'sdk', 'testing.js'));
    expect(isInside(modules, vitest!)).toBe(true);
    const [http] = await resolveFrom(join(modules, '@apiq', 'sdk'), ['@apiq/http']);
    expect(http).toBe(join(modules, '@apiq', 'http', 'index.js'));
    for (const file of [sdk, sdkTesting, vitest, http]) expect(file!.split(sep)).not.toContain('src');
  }, 300_000);

  it('passes its own tests with its own vitest', async () => {
    const r = await exec('npx', ['--no', '--', 'vitest', 'run'], plugin);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+3 passed \(3\)/);
  }, 120_000);

  it('type-checks with tsc against the published declarations, which catch a wrong definition', async () => {
    const ok = await exec('npx', ['--no', '--', 'tsc', '--noEmit'], plugin);
    expect(ok.code, shown(ok)).toBe(0);

    await writeFile(
      join(plugin, 'src', 'misuse.ts'),
      `import { defineNode, z } from '@apiq/sdk';
export const wrong = defineNode({
  id: 'acme_tickets.wrong',
  title: 'Wrong',
  description: 'Has a category that does not exist.',
  category: 'nonsense',
  params: z.strictObject({}),
  run: () => ({ output: null }),
});
`,
    );
    const bad = await exec('npx', ['--no', '--', 'tsc', '--noEmit'], plugin);
    await rm(join(plugin, 'src', 'misuse.ts'));
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/src\/misuse\.ts\(6,3\): error TS2322: Type '"nonsense"' is not assignable/);
  }, 120_000);
});
