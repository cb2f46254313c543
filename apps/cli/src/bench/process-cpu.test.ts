import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuMeter, cpuMs } from './process-cpu.ts';

describe('cpuMs', () => {
  it('reads the CPU time of a process, and nothing for one that is gone', () => {
    const before = cpuMs(process.pid)!;
    const until = Date.now() + 60;
    while (Date.now() < until); // burn CPU
    expect(cpuMs(process.pid)! - before).toBeGreaterThanOrEqual(30);
    expect(cpuMs(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('CpuMeter', () => {
  it('counts the CPU a process tree used during the window', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'apiq-cpu-'));
    // A parent that idles while its child burns 300 ms of CPU, then idles too.
    const script = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'const t = Date.now() + 300; while (Date.now() < t); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      process.on('SIGTERM', () => { c.kill(); process.exit(0); });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const meter = new CpuMeter({ apiqPid: parent.pid!, pgDataDir: dir });
      meter.start();
      const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
      const childPid = Number(chunk.toString().trim());
      // Wait until the child has burnt its 300 ms (its CPU clock, not a sleep).
      await expect.poll(() => cpuMs(childPid) ?? 0, { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(280);
      const use = meter.stop();
      expect(use.apiqMs).toBeGreaterThanOrEqual(280);
      expect(use.postgresMs).toBe(0);
    } finally {
      const exited = once(parent, 'exit');
      parent.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
