#!/usr/bin/env node
// The apiq command. isolated-vm needs Node started with --no-node-snapshot, so the command
// re-executes itself once with that flag; then it loads the TypeScript sources through tsx.
import { spawn } from 'node:child_process';

const flag = '--no-node-snapshot';
if (!(process.env.NODE_OPTIONS ?? '').includes(flag)) {
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${flag}`.trim() };
  const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/main.ts');
  await main(process.argv.slice(2));
}
