import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD = path.join(ROOT, 'apps/editor/build');

/** Environment variable naming the snapshot root for the suites (set by the global setup). */
export const EDITOR_ROOT_ENV = 'APIQ_E2E_EDITOR_ROOT';

/**
 * Copies the built editor into a private installation root: every entry of the repository is a
 * symlink except `apps/editor/build`, which is a copy. `apiq web` started with `APIQ_ROOT` set to
 * it serves this copy, so a developer rebuilding the editor during a test run (the build folder
 * is shared) cannot pull files from under the running suites. Returns the root, or undefined when
 * the build changed while it was copied (build again and retry).
 */
export function snapshotEditorBuild(): string | undefined {
  const stamp = readStamp();
  const root = mkdtempSync(path.join(tmpdir(), 'apiq-e2e-root-'));
  try {
    linkAllBut(ROOT, root, 'apps');
    linkAllBut(path.join(ROOT, 'apps'), path.join(root, 'apps'), 'editor');
    linkAllBut(path.join(ROOT, 'apps/editor'), path.join(root, 'apps/editor'), 'build');
    cpSync(BUILD, path.join(root, 'apps/editor/build'), { recursive: true });
  } catch {
    removeSnapshot(root);
    return undefined;
  }
  if (!stamp || readStamp() !== stamp || !isComplete(path.join(root, 'apps/editor/build'))) {
    removeSnapshot(root);
    return undefined;
  }
  return root;
}

/**
 * A build copied while another build rewrote the folder can mix two builds: the server's manifest
 * then names client files that are not there. Complete means every file it names exists.
 */
function isComplete(build: string): boolean {
  if (!existsSync(path.join(build, 'handler.js'))) return false;
  const chunks = path.join(build, 'server/chunks');
  if (!existsSync(chunks)) return false;
  const manifests = readdirSync(chunks).filter((f) => f.startsWith('manifest') && f.endsWith('.js'));
  if (manifests.length !== 1) return false;
  const text = readFileSync(path.join(chunks, manifests[0]!), 'utf8');
  const named = new Set(text.match(/immutable\/[A-Za-z0-9._/-]+\.(?:js|css)/g) ?? []);
  return named.size > 0 && [...named].every((file) => existsSync(path.join(build, 'client/_app', file)));
}

export function removeSnapshot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

function readStamp(): string | undefined {
  try {
    return readFileSync(path.join(BUILD, '.source-stamp'), 'utf8');
  } catch {
    return undefined;
  }
}

function linkAllBut(from: string, to: string, except: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (name === except) continue;
    symlinkSync(path.join(from, name), path.join(to, name));
  }
}
