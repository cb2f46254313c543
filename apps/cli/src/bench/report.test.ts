import { describe, expect, it } from 'vitest';
import { formatExtras, formatTable } from './report.ts';

describe('formatTable', () => {
  it('prints one aligned line per row under a header', () => {
    const text = formatTable(
      [
        { workload: 'w1', concurrency: 1, reqPerSec: 512.34, p50Ms: 1.857, p99Ms: 3.1, errors: 0, peakRssMb: 310.4 },
        { workload: 'w2-set', concurrency: 50, reqPerSec: 1200, p50Ms: 40, p99Ms: 120.5, errors: 3, peakRssMb: 402 },
      ],
      [
        { requests: 5123, peakPostgresMb: 95.2, apiqCpuUs: 1180.4, postgresCpuUs: 890 },
        { requests: 12000, peakPostgresMb: 120 },
      ],
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^workload\s+conc\s+req\/s\s+p50 ms\s+p99 ms\s+errors\s+requests\s+APIQ RSS MB\s+PG PSS MB\s+APIQ CPU µs\/req\s+PG CPU µs\/req$/,
    );
    expect(lines[2]!.split(/\s+/)).toEqual([
      'w1',
      '1',
      '512.3',
      '1.86',
      '3.10',
      '0',
      '5123',
      '310',
      '95',
      '1180',
      '890',
    ]);
    expect(lines[3]!.split(/\s+/)).toEqual([
      'w2-set',
      '50',
      '1200.0',
      '40.00',
      '120.50',
      '3',
      '12000',
      '402',
      '120',
      '-',
      '-',
    ]);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('shows a dash for a latency that could not be measured', () => {
    const text = formatTable(
      [{ workload: 'w3', concurrency: 1, reqPerSec: 0, p50Ms: NaN, p99Ms: NaN, errors: 9, peakRssMb: 300 }],
      [{ requests: 9, peakPostgresMb: 90 }],
    );
    expect(text.split('\n')[2]!.split(/\s+/)).toEqual(['w3', '1', '0.0', '-', '-', '9', '9', '300', '90', '-', '-']);
  });
});

describe('formatExtras', () => {
  it('states how each extra figure was measured', () => {
    const text = formatExtras({
      engine: { steps: 100, perStepUs: 48.2, samplesUs: [32, 48.2, 49, 29, 51] },
      codeNode: { calls: 2000, medianUs: 437.4, p99Us: 2083 },
    });
    expect(text).toContain('Engine overhead: 48 µs per step (manual run of a 100-step No-op chain');
    expect(text).toContain('median of 5 runs: 32, 48, 49, 29, 51 µs');
    expect(text).toContain('median 437 µs, p99 2083 µs over 2000 calls');
  });
});
