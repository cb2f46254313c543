#!/usr/bin/env node
// `npm test`: type-check, lint, then every Vitest suite (unit tests beside the code, system
// suites in e2e/) against real PostgreSQL servers that the suites' global setup starts.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const env = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim(),
  TURBO_TELEMETRY_DISABLED: '1',
};
const run = (name, cmd, args) => {
  process.stdout.write(`\n▶ ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write(`\n✗ ${name} failed\n`);
    process.exit(r.status ?? 1);
  }
};

if (!existsSync('node_modules/.bin/vitest')) run('install', 'npm', ['install', '--no-audit', '--no-fund']);
run('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('type-check editor', 'npm', ['run', '--silent', 'check', '-w', 'apps/editor']);
run('lint', 'npx', ['eslint', '.']);
run('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);
run('tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]);
