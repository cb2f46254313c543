#!/usr/bin/env node
// Prints the gzipped size of the editor's entry chunks (what the browser loads before the first
// page renders): each entry file, and each with every chunk it imports statically.
// Usage: npm run bench:editor  (builds the editor first when it has no build)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const editor = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const immutable = join(editor, 'build/client/_app/immutable');

if (!existsSync(join(immutable, 'entry'))) {
  process.stdout.write('No client build yet; building the editor...\n');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: editor, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;

/** The file and every JS file it imports statically (import x from "./y.js", import "./z.js"). */
function closure(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:import|export)\s*(?:[^'"();]*?from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g))
    closure(resolve(dirname(file), m[1]), seen);
  return seen;
}

const entries = readdirSync(join(immutable, 'entry')).filter((f) => f.endsWith('.js'));
const rows = entries.map((name) => {
  const file = join(immutable, 'entry', name);
  const all = closure(file);
  return { entry: name, own: gz(file), withImports: [...all].reduce((sum, f) => sum + gz(f), 0), files: all.size };
});
const initial = new Set(entries.flatMap((name) => [...closure(join(immutable, 'entry', name))]));
const initialGz = [...initial].reduce((sum, f) => sum + gz(f), 0);

if (process.argv.includes('--json')) {
  process.stdout.write(
    `${JSON.stringify({ entries: rows, initialGzipBytes: initialGz, initialFiles: initial.size })}\n`,
  );
} else {
  process.stdout.write('Editor entry chunks (gzip -9)\n');
  for (const r of rows)
    process.stdout.write(
      `  ${r.entry.padEnd(28)} ${kb(r.own).padStart(9)} own   ${kb(r.withImports).padStart(9)} with ${r.files} static imports\n`,
    );
  process.stdout.write(
    `  initial JavaScript (entries and their static imports, ${initial.size} files): ${kb(initialGz)}\n`,
  );
}
