import { describe, expect, it } from 'vitest';
import { parseRunEvent } from './run-events.ts';

describe('parseRunEvent', () => {
  it('reads a snapshot with its steps, wrapped or not', () => {
    const steps = [{ stepId: 'hook', attempt: 1, status: 'succeeded' }];
    expect(parseRunEvent('snapshot', JSON.stringify({ id: 'r', status: 'running', steps }))).toEqual({
      kind: 'snapshot',
      status: 'running',
      steps,
    });
    expect(parseRunEvent('snapshot', JSON.stringify({ run: { status: 'queued', steps } }))).toEqual({
      kind: 'snapshot',
      status: 'queued',
      steps,
    });
  });

  it('reads step, run and finished events', () => {
    const step = { runId: 'r', stepId: 'code', attempt: 2, status: 'running', itemCount: null };
    expect(parseRunEvent('step', JSON.stringify(step))).toEqual({ kind: 'step', record: step });
    expect(parseRunEvent('run', '{"status":"running"}')).toEqual({ kind: 'run', status: 'running' });
    expect(parseRunEvent('finished', '{"run":{"status":"failed"}}')).toEqual({ kind: 'finished', status: 'failed' });
  });

  it('ignores what it does not understand', () => {
    expect(parseRunEvent('step', 'not json')).toBeUndefined();
    expect(parseRunEvent('step', '{"stepId":"x"}')).toBeUndefined();
    expect(parseRunEvent('ping', '{}')).toBeUndefined();
  });
});
