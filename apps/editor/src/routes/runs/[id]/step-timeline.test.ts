import { describe, expect, it } from 'vitest';
import { timeline, type AttemptLike } from './step-timeline.ts';

const at = (stepId: string, over: Partial<AttemptLike>, second: number): AttemptLike => ({
  stepId,
  iteration: '',
  attempt: 1,
  status: 'succeeded',
  startedAt: `2026-11-26T12:00:0${second}.000Z`,
  durationMs: 10,
  itemCount: 1,
  ...over,
});

describe('timeline', () => {
  it('orders steps by their first start and keeps the latest attempt status', () => {
    const entries = timeline([
      at('fetch', { status: 'failed', itemCount: null }, 2),
      at('trigger', {}, 1),
      at('fetch', { attempt: 2, status: 'succeeded', itemCount: 3 }, 3),
    ]);
    expect(entries.map((e) => [e.stepId, e.status, e.attempts])).toEqual([
      ['trigger', 'succeeded', 1],
      ['fetch', 'succeeded', 2],
    ]);
    expect(entries[1]).toMatchObject({ items: 3, durationMs: 10, startedAt: '2026-11-26T12:00:02.000Z' });
  });

  it('shows a step running again after a failure as retrying', () => {
    const [entry] = timeline([
      at('fetch', { status: 'failed' }, 1),
      at('fetch', { attempt: 2, status: 'running', durationMs: null, itemCount: null }, 2),
    ]);
    expect(entry?.status).toBe('retrying');
  });

  it('sums loop items and lets a failed item decide the status', () => {
    const [entry] = timeline([
      at('each', { iteration: '0' }, 1),
      at('each', { iteration: '1', status: 'failed', itemCount: null }, 2),
      at('each', { iteration: '2' }, 3),
    ]);
    expect(entry).toMatchObject({ status: 'failed', iterations: 3, items: 2, durationMs: 30 });
  });
});
