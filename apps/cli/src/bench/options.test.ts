import { describe, expect, it } from 'vitest';
import { CliError } from '../context.ts';
import { parseBenchOptions } from './options.ts';

describe('parseBenchOptions', () => {
  it('defaults to every workload at concurrency 1, 10 and 50 for 10 s each', () => {
    expect(parseBenchOptions({})).toEqual({
      json: false,
      durationSec: 10,
      warmupSec: 2,
      workloads: ['w1', 'w2', 'w2-set', 'w3'],
      concurrencies: [1, 10, 50],
    });
  });

  it('keeps the chosen workloads in the usual order and sorts concurrencies', () => {
    const o = parseBenchOptions({ json: true, duration: '3', workloads: 'w3, w1', concurrency: '10,1,10' });
    expect(o).toMatchObject({ json: true, durationSec: 3, workloads: ['w1', 'w3'], concurrencies: [1, 10] });
  });

  it('names an unknown workload and lists the valid ones', () => {
    expect(() => parseBenchOptions({ workloads: 'w1,w9' })).toThrow(
      /--workloads: unknown workload "w9"; choose from w1, w2, w2-set, w3/,
    );
  });

  it('refuses bad concurrencies and durations with exit code 2', () => {
    let caught: unknown;
    try {
      parseBenchOptions({ concurrency: '1,0,x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(2);
    expect((caught as CliError).message).toContain('--concurrency: "0", "x"');
    expect(() => parseBenchOptions({ duration: '2.5' })).toThrow(/--duration must be a whole number of seconds/);
    expect(() => parseBenchOptions({ duration: '0' })).toThrow(/--duration/);
    expect(() => parseBenchOptions({ workloads: ' , ' })).toThrow(/\(none given\)/);
  });
});
