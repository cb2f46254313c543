import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const lockDir = () => join(editorDir(), '.build-lock');
const LOCK_STALE_MS = 10 * 60_000;

/**
 * Holds a lock directory while building, so two processes starting at once (two `apiq start`s,
 * parallel test suites) never write the same build folder together. Waits for a holder to finish;
 * a lock older than 10 minutes is from a crashed build and is taken over.
 */
function withBuildLock<T>(fn: () => T): T {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lockDir());
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lockDir(), { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS || Date.now() > deadline) rmSync(lockDir(), { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir(), { recursive: true, force: true });
  }
}

function isCurrent(stamp: string): boolean {
  return existsSync(handlerFile()) && existsSync(stampFile()) && readFileSync(stampFile(), 'utf8') === stamp;
}

/** Builds the editor app when its build is missing or older than its sources. */
export function ensureEditorBuilt(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  if (!existsSync(editorDir())) return;
  const stamp = sourceStamp();
  if (isCurrent(stamp)) return;
  withBuildLock(() => {
    // Another process may have built it while this one waited for the lock.
    if (isCurrent(stamp)) return;
    log('Building the editor (first start or changed sources)...');
    const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: editorDir(), stdio: 'inherit' });
    if (r.status !== 0) throw new Error('The editor build failed; see the output above.');
    writeFileSync(stampFile(), stamp);
  });
}

/** The built editor's request handler, or undefined when it has not been built. */
export async function loadEditorHandler(): Promise<NodeHandler | undefined> {
  if (!existsSync(handlerFile())) return undefined;
  const mod = (await import(pathToFileURL(handlerFile()).href)) as { handler: NodeHandler };
  return mod.handler;
}
