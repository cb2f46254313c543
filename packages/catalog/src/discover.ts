import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkCredentialKind,
  checkDefinition,
  createStaticCatalog,
  isCredentialKind,
  type CredentialKindDefinition,
  type CatalogEntry,
  type NodeCatalog,
  type NodeDefinition,
} from '@apiq/sdk';

/** A package or definition that could not be loaded; the rest of the catalog still loads. */
export interface CatalogProblem {
  packageName: string;
  nodeId?: string;
  message: string;
}

export interface DiscoveredCatalog extends NodeCatalog {
  problems: CatalogProblem[];
  packages: string[];
}

interface PackageJson {
  name?: string;
  apiq?: { nodes?: unknown };
}

/**
 * Finds node packages — any package whose package.json has an `apiq.nodes` list of modules —
 * in `<root>/nodes/*` and in `<root>/node_modules` (scoped packages included), imports them and
 * validates every exported definition. A broken package is reported in `problems` and skipped.
 */
export async function discoverNodes(root: string): Promise<DiscoveredCatalog> {
  const dirs = new Map<string, string>();
  for (const dir of await packageDirs(join(root, 'node_modules'))) {
    const pkg = await readPackageJson(dir);
    if (pkg?.name && pkg.apiq) dirs.set(pkg.name, dir);
  }
  // Workspace packages under nodes/ win over their own node_modules symlinks.
  for (const dir of await childDirs(join(root, 'nodes'))) {
    const pkg = await readPackageJson(dir);
    if (pkg?.name && pkg.apiq) dirs.set(pkg.name, dir);
  }
  const entries: CatalogEntry[] = [];
  const kinds: CredentialKindDefinition[] = [];
  const problems: CatalogProblem[] = [];
  const seen = new Map<string, string>();
  const seenKinds = new Map<string, string>();
  for (const [packageName, dir] of [...dirs].sort(([a], [b]) => a.localeCompare(b))) {
    const loaded = await loadPackage(packageName, dir);
    problems.push(...loaded.problems);
    for (const kind of loaded.kinds) {
      const owner = seenKinds.get(kind.id);
      if (owner) {
        problems.push({
          packageName,
          message: `credential kind ${kind.id} is already defined by ${owner}; this copy is ignored`,
        });
        continue;
      }
      seenKinds.set(kind.id, packageName);
      kinds.push(kind);
    }
    for (const entry of loaded.entries) {
      const key = `${entry.def.id}@${entry.def.version}`;
      const owner = seen.get(key);
      if (owner) {
        problems.push({
          packageName,
          nodeId: entry.def.id,
          message: `${key} is already defined by ${owner}; this copy is ignored`,
        });
        continue;
      }
      seen.set(key, packageName);
      entries.push(entry);
    }
  }
  return Object.assign(createStaticCatalog(entries, kinds), { problems, packages: [...dirs.keys()].sort() });
}

async function loadPackage(
  packageName: string,
  dir: string,
): Promise<{ entries: CatalogEntry[]; kinds: CredentialKindDefinition[]; problems: CatalogProblem[] }> {
  const pkg = await readPackageJson(dir);
  const modules = pkg?.apiq?.nodes;
  if (!Array.isArray(modules) || modules.some((m) => typeof m !== 'string')) {
    return {
      entries: [],
      kinds: [],
      problems: [{ packageName, message: 'package.json "apiq.nodes" must be a list of module paths' }],
    };
  }
  const entries: CatalogEntry[] = [];
  const kinds: CredentialKindDefinition[] = [];
  const problems: CatalogProblem[] = [];
  for (const rel of modules as string[]) {
    const file = resolve(dir, rel);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      problems.push({ packageName, message: `cannot load ${rel}: ${(err as Error).message}` });
      continue;
    }
    for (const [exportName, value] of Object.entries(mod)) {
      if (isCredentialKind(value)) {
        const issues = checkCredentialKind(value);
        if (issues.length > 0)
          problems.push({ packageName, message: `credential kind ${exportName}: ${issues.join('; ')}` });
        else kinds.push(value);
        continue;
      }
      if (!looksLikeDefinition(value)) continue;
      const issues = checkDefinition(value);
      if (issues.length > 0) {
        problems.push({ packageName, nodeId: String(value.id), message: issues.join('; ') });
        continue;
      }
      entries.push({ def: value as NodeDefinition, source: { packageName, module: file, exportName } });
    }
  }
  if (entries.length === 0 && problems.length === 0) {
    problems.push({ packageName, message: 'declares apiq.nodes but exports no node definitions' });
  }
  return { entries, kinds, problems };
}

/** Has an id and a run or params: a definition, perhaps a broken one (reported rather than skipped silently). */
function looksLikeDefinition(value: unknown): value is Partial<NodeDefinition> {
  return typeof value === 'object' && value !== null && 'id' in value && ('run' in value || 'params' in value);
}

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

async function childDirs(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    const out: string[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      if ((await stat(full).catch(() => undefined))?.isDirectory()) out.push(full);
    }
    return out;
  } catch {
    return [];
  }
}

async function packageDirs(nodeModules: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await childDirs(nodeModules)) {
    if (dir.split('/').pop()!.startsWith('@')) out.push(...(await childDirs(dir)));
    else out.push(dir);
  }
  return out;
}
