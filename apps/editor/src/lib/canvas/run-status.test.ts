import { describe, expect, it } from 'vitest';
import { formatDuration, isFinalRunStatus, queuedStatuses, settleStatuses, statusesFromRecords } from './run-status.ts';
import { w2Graph } from './test-fixtures.ts';

describe('run statuses', () => {
  it('starts with every enabled node queued', () => {
    const graph = w2Graph();
    graph.nodes[4] = { ...graph.nodes[4]!, disabled: true };
    expect(Object.keys(queuedStatuses(graph))).toEqual(['hook', 'code', 'big', 'high']);
  });

  it('takes the latest attempt of each step and counts output items', () => {
    const statuses = statusesFromRecords(
      [
        { stepId: 'code', attempt: 1, status: 'failed', error: { message: 'HTTP 503' } },
        { stepId: 'code', attempt: 2, status: 'running' },
        { stepId: 'hook', attempt: 1, status: 'succeeded', output: { body: 1 }, durationMs: 1 },
      ],
      queuedStatuses(w2Graph()),
    );
    expect(statuses.code).toEqual({ status: 'retrying', attempt: 2 });
    expect(statuses.hook).toEqual({ status: 'succeeded', attempt: 1, items: 1, durationMs: 1 });
    expect(statuses.big).toEqual({ status: 'queued' });
  });

  it('shows a failure with its message and reads snake_case records', () => {
    const statuses = statusesFromRecords([
      { step_id: 'code', attempt: 1, status: 'failed', error: { message: 'boom' }, duration_ms: 7 },
    ]);
    expect(statuses.code).toEqual({ status: 'failed', attempt: 1, durationMs: 7, error: 'boom' });
  });

  it('takes the item count of a step event', () => {
    expect(statusesFromRecords([{ stepId: 'code', attempt: 1, status: 'succeeded', itemCount: 4 }]).code).toEqual({
      status: 'succeeded',
      attempt: 1,
      items: 4,
    });
  });

  it('counts array outputs and treats pinned or reused steps as succeeded', () => {
    const statuses = statusesFromRecords([
      { stepId: 'hook', status: 'pinned', output: [1, 2, 3] },
      { stepId: 'code', status: 'reused', output: null },
    ]);
    expect(statuses.hook).toEqual({ status: 'succeeded', items: 3 });
    expect(statuses.code).toEqual({ status: 'succeeded', items: 0 });
  });

  it('merges loop iterations: finished items, summed time, the most urgent status', () => {
    const statuses = statusesFromRecords([
      { stepId: 'code', iteration: '0', attempt: 1, status: 'succeeded', output: 1, durationMs: 3 },
      { stepId: 'code', iteration: '1', attempt: 1, status: 'running' },
      { stepId: 'code', iteration: '1', attempt: 1, status: 'succeeded', output: 2, durationMs: 4 },
      { stepId: 'code', iteration: '2', attempt: 1, status: 'running' },
    ]);
    expect(statuses.code).toEqual({ status: 'running', items: 2, durationMs: 7 });
  });

  it('drops the queued mark of steps that never ran once the run is over', () => {
    expect(settleStatuses({ a: { status: 'queued' }, b: { status: 'succeeded' } })).toEqual({
      b: { status: 'succeeded' },
    });
    expect(isFinalRunStatus('failed')).toBe(true);
    expect(isFinalRunStatus('waiting')).toBe(false);
  });

  it('formats durations', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1400)).toBe('1.4 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
