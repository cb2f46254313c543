import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { findProjectRoot } from '@apiq/catalog';
import type { NodeHandler } from '@apiq/api';

const editorDir = () => join(findProjectRoot(), 'apps', 'editor');
const handlerFile = () => join(editorDir(), 'build', 'handler.js');
const stampFile = () => join(editorDir(), 'build', '.source-stamp');

/** A fingerprint of the editor's sources: paths, sizes and modification times. */
function sourceStamp(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else hash.update(`${full}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  for (const part of ['src', 'static']) if (existsSync(join(editorDir(), part))) walk(join(editorDir(), part));
  for (const file of ['svelte.config.js', 'vite.config.ts', 'package.json']) {
    const full = join(editorDir(), file);
    if (existsSync(full)) hash.update(readFileSync(full));
  }
  return hash.digest('hex');
}

/** Builds the editor app when its build is missing or older than its sources. */
export function ensureEditorBuilt(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  if (!existsSync(editorDir())) return;
  const stamp = sourceStamp();
  if (existsSync(handlerFile()) && existsSync(stampFile()) && readFileSync(stampFile(), 'utf8') === stamp) return;
  log('Building the editor (first start or changed sources)...');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: editorDir(), stdio: 'inherit' });
  if (r.status !== 0) throw new Error('The editor build failed; see the output above.');
  writeFileSync(stampFile(), stamp);
}

/** The built editor's request handler, or undefined when it has not been built. */
export async function loadEditorHandler(): Promise<NodeHandler | undefined> {
  if (!existsSync(handlerFile())) return undefined;
  const mod = (await import(pathToFileURL(handlerFile()).href)) as { handler: NodeHandler };
  return mod.handler;
}
