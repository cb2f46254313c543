import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuMeter, cpuMs } from './process-cpu.ts';
import { parentWithGrandchild, stopProcessTrees } from './test-process-tree.ts';

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
    try {
      // A parent that idles while its child burns 300 ms of CPU.
      const { parent, grandchildPid } = await parentWithGrandchild(
        'const t = Date.now() + 300; while (Date.now() < t); setInterval(() => {}, 1000)',
      );
      const meter = new CpuMeter({ apiqPid: parent.pid!, pgDataDir: dir });
      meter.start();
      const burntBefore = cpuMs(grandchildPid)!;
      expect(burntBefore).toBeLessThan(200);
      // Until the child has burnt its 300 ms (its CPU clock, not a sleep).
      await expect.poll(() => cpuMs(grandchildPid) ?? 0, { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(280);
      const use = meter.stop();
      expect(use.apiqMs).toBeGreaterThanOrEqual(280 - burntBefore);
      expect(use.postgresMs).toBe(0);
    } finally {
      await stopProcessTrees();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
