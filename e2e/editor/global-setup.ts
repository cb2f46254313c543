import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
// The CLI's own build step, so tests run the editor exactly as `apiq start` serves it.
import { ensureEditorBuilt } from '../../apps/cli/src/editor-app.ts';
import { EDITOR_ROOT_ENV, removeSnapshot, snapshotEditorBuild } from './editor-snapshot.ts';

const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));
const STAMP = fileURLToPath(new URL('../../apps/editor/build/.source-stamp', import.meta.url));

/** Browser suites of the editor: `e2e/editor-*.test.ts`. */
function editorSuites(): string[] {
  return readdirSync(E2E_DIR)
    .filter((f) => f.startsWith('editor-') && f.endsWith('.test.ts'))
    .map((f) => `e2e/${f}`);
}

/**
 * Vitest global setup: builds the editor once (when its sources changed) before any browser
 * suite starts, so suites running in parallel never build it concurrently, and gives the suites a
 * private copy of the build (see editor-snapshot.ts). Skipped when the run's file filters select
 * no editor suite.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  // `filenamePattern` (the CLI filters) is not public API; without it, build to be safe.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const suites = editorSuites();
  if (suites.length === 0) return undefined;
  if (filters.length > 0 && !suites.some((s) => filters.some((f) => s.includes(f) || f.includes(s)))) return undefined;
  if (process.env[EDITOR_ROOT_ENV]) return undefined;
  // Another `vite build` of the same app (a developer's `apiq start`) can clash with this one over
  // the shared output folders; once it is done, the build is current or one more attempt fixes it.
  for (let attempt = 1; ; attempt++) {
    let root: string | undefined;
    try {
      ensureEditorBuilt((line) => process.stdout.write(`${line}\n`));
      root = snapshotEditorBuild();
    } catch (error) {
      if (attempt === 3) throw error;
    }
    if (root) {
      process.env[EDITOR_ROOT_ENV] = root;
      return () => {
        delete process.env[EDITOR_ROOT_ENV];
        removeSnapshot(root);
      };
    }
    if (attempt === 3) throw new Error('The editor build kept changing while it was copied for the tests; try again.');
    // A build left incomplete by a clash keeps its stamp: drop the stamp so the next attempt rebuilds.
    rmSync(STAMP, { force: true });
    process.stdout.write(`The editor build changed or failed (attempt ${attempt} of 3); trying again in 5 s.\n`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}
