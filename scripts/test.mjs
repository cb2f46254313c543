#!/usr/bin/env node
// `npm test`: type-check everything, then run every Vitest suite (unit beside the code,
// system suites in e2e/) against real PostgreSQL servers started by the global setup.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim(), TURBO_TELEMETRY_DISABLED: '1' };
const steps = [
  ['type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];
for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n▶ ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write(`\n✗ ${name} failed\n`);
    process.exit(r.status ?? 1);
  }
}
