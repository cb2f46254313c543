import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { findProjectRoot } from '@apiq/catalog';
import { CliError, loadCatalog } from '../context.ts';
import { scaffoldFiles, scaffoldNames } from './nodes-scaffold.ts';

/**
 * `apiq nodes list`: every installed node type (`id@version`, category, title, package), then the
 * packages or definitions that failed to load. Exit 1 when there is any such problem.
 */
export async function nodesListCommand(opts: { json?: boolean }): Promise<number> {
  const catalog = await loadCatalog(false);
  const nodes = catalog
    .list()
    .map((e) => ({
      type: e.def.id,
      version: e.def.version,
      title: e.def.title,
      category: e.def.category,
      package: e.source?.packageName ?? '',
    }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.version - b.version);
  if (opts.json) {
    const credentialKinds = catalog.credentialKinds().map((k) => ({ id: k.id, title: k.title }));
    process.stdout.write(JSON.stringify({ nodes, credentialKinds, problems: catalog.problems }, null, 2) + '\n');
    return catalog.problems.length > 0 ? 1 : 0;
  }
  const key = (n: (typeof nodes)[number]) => `${n.type}@${n.version}`;
  const width = Math.max(4, ...nodes.map((n) => key(n).length));
  const titleWidth = Math.max(5, ...nodes.map((n) => n.title.length));
  for (const n of nodes)
    process.stdout.write(
      `${key(n).padEnd(width)}  ${n.category.padEnd(8)}  ${n.title.padEnd(titleWidth)}  ${n.package}\n`,
    );
  process.stdout.write(`${nodes.length} node types from ${catalog.packages.length} packages\n`);
  if (catalog.problems.length > 0) {
    process.stderr.write(`${catalog.problems.length} problem${catalog.problems.length === 1 ? '' : 's'}:\n`);
    for (const p of catalog.problems)
      process.stderr.write(`  ${p.packageName}${p.nodeId ? ` (${p.nodeId})` : ''}: ${p.message}\n`);
    return 1;
  }
  return 0;
}

/**
 * `apiq nodes new <name>`: writes a node package (package.json with the `apiq` field, one action
 * calling an HTTP API with a credential kind, its test, README and icon) into `--dir`, by default
 * `nodes/<name>` of the APIQ directory (or `./<name>` outside one). All files appear at once.
 */
export async function nodesNewCommand(name: string, opts: { dir?: string }): Promise<number> {
  const names = scaffoldNames(name);
  if (typeof names === 'string') throw new CliError(names, 2);
  const target = resolve(opts.dir ?? defaultDir(names.name));
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new CliError(`${target} already exists and is not empty; choose another name or --dir`);
  }
  // Written next to the target, then renamed into place: an error leaves nothing half-written.
  const staging = join(dirname(target), `.${basename(target)}-${randomBytes(4).toString('hex')}`);
  try {
    for (const [file, text] of Object.entries(scaffoldFiles(names))) {
      await mkdir(dirname(join(staging, file)), { recursive: true });
      await writeFile(join(staging, file), text);
    }
    if (existsSync(target)) await rm(target, { recursive: true });
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw new CliError(`cannot create ${target}: ${(err as Error).message}`);
  }
  const shown = relative(process.cwd(), target) || '.';
  process.stdout.write(
    [
      `Created ${names.packageName} in ${shown}`,
      `  node type:       ${names.namespace}.get_item@1`,
      `  credential kind: ${names.namespace}`,
      '',
      'Next:',
      `  cd ${shown} && npm install && npm test`,
      '      runs its test against a local stand-in for the API',
      // A bare `acme` or `nodes/acme` would be read by npm as a registry name or a GitHub repository.
      `  npm install ${shown.startsWith('.') || isAbsolute(shown) ? shown : `./${shown}`}`,
      '      from the APIQ directory (not needed under its nodes/ folder); restart APIQ and the node is in the palette',
      '  npx apiq nodes list',
      '      shows it, or why it did not load',
      '',
    ].join('\n'),
  );
  return 0;
}

function defaultDir(name: string): string {
  const nodesDir = join(findProjectRoot(), 'nodes');
  return existsSync(nodesDir) ? join(nodesDir, name) : resolve(name);
}
