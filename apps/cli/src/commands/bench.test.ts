import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));

async function apiq(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('apiq bench', () => {
  it('with --json prints only the JSON rows on stdout, answers correctly under load and cleans up', async () => {
    const { code, stdout, stderr } = await apiq([
      'bench',
      '--json',
      '--duration',
      '1',
      '--workloads',
      'w1',
      '--concurrency',
      '1',
    ]);
    expect(code, stderr).toBe(0);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'concurrency',
      'errors',
      'p50Ms',
      'p99Ms',
      'peakRssMb',
      'reqPerSec',
      'workload',
    ]);
    expect(rows[0]).toMatchObject({ workload: 'w1', concurrency: 1, errors: 0 });
    expect(rows[0]!.reqPerSec).toBeGreaterThan(0);
    expect(rows[0]!.peakRssMb).toBeGreaterThan(0);
    expect(stderr).toContain('w1: response checked');
    expect(stderr).toMatch(/Engine overhead: \d+ µs per step/);
    const dataDir = stderr.match(/data directory (\S+)\)/)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
  }, 180_000);

  it('refuses an unknown workload before starting anything', async () => {
    const { code, stdout, stderr } = await apiq(['bench', '--workloads', 'w1,nope']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--workloads: unknown workload "nope"; choose from w1, w2, w2-set, w3');
  });
});
