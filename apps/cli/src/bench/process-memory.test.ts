import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySampler, postmasterPid, processTree, pssKb, rssKb } from './process-memory.ts';
import { parentWithGrandchild, stopProcessTrees } from './test-process-tree.ts';

afterEach(stopProcessTrees);

describe('processTree', () => {
  it('finds children and grandchildren', async () => {
    const { parent, grandchildPid } = await parentWithGrandchild();
    const tree = processTree(process.pid);
    expect(tree[0]).toBe(process.pid);
    expect(tree).toContain(parent.pid);
    expect(tree).toContain(grandchildPid);
    expect(processTree(parent.pid!).sort()).toEqual([parent.pid!, grandchildPid].sort());
  });

  it('is empty for a process that does not exist', () => {
    expect(processTree(2 ** 22 + 1)).toEqual([]);
  });
});

describe('rssKb and pssKb', () => {
  it('read this process', () => {
    expect(rssKb(process.pid)).toBeGreaterThan(10_000);
    const pss = pssKb(process.pid)!;
    expect(pss).toBeGreaterThan(1000);
    expect(pss).toBeLessThanOrEqual(rssKb(process.pid)! * 1.5);
  });

  it('are undefined for a process that does not exist', () => {
    expect(rssKb(2 ** 22 + 1)).toBeUndefined();
    expect(pssKb(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('postmasterPid', () => {
  it('reads the first line of postmaster.pid, or undefined without one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'apiq-pm-'));
    try {
      expect(postmasterPid(dir)).toBeUndefined();
      await writeFile(path.join(dir, 'postmaster.pid'), '4242\n/some/data/dir\n1700000000\n5432\n');
      expect(postmasterPid(dir)).toBe(4242);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('MemorySampler', () => {
  it('sums the whole tree and keeps the peak since the last reset', async () => {
    const { parent, grandchildPid } = await parentWithGrandchild();
    const sampler = new MemorySampler({ apiqPid: parent.pid!, pgDataDir: path.join(tmpdir(), 'apiq-no-such-dir') });
    sampler.start();
    try {
      const peaks = sampler.peaks();
      const expectedKb = rssKb(parent.pid!)! + rssKb(grandchildPid)!;
      expect(peaks.apiqMb * 1024).toBeGreaterThan(expectedKb * 0.8);
      expect(peaks.apiqMb * 1024).toBeLessThan(expectedKb * 1.25);
      expect(peaks.postgresMb).toBe(0);
    } finally {
      sampler.stop();
    }
  });
});
