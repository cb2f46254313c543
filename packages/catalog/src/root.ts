import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The APIQ installation root: `APIQ_ROOT`, else the nearest directory above `from` whose
 * package.json declares workspaces (the repo) or which has a node_modules folder.
 */
export function findProjectRoot(from: string = process.cwd()): string {
  if (process.env.APIQ_ROOT) return resolve(process.env.APIQ_ROOT);
  let dir = resolve(from);
  let fallback: string | undefined;
  while (true) {
    const pkgFile = join(dir, 'package.json');
    if (existsSync(pkgFile)) {
      try {
        if (JSON.parse(readFileSync(pkgFile, 'utf8')).workspaces) return dir;
      } catch {
        // an unreadable package.json is not a root marker
      }
      if (!fallback && existsSync(join(dir, 'node_modules'))) fallback = dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return fallback ?? resolve(from);
    dir = parent;
  }
}
