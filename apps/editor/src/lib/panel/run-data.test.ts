import { describe, expect, it } from 'vitest';
import { attemptsOf, latestAttempt, sampleDataFor, stepError, stepOutputs } from './run-data.ts';
import type { RunLike, StepLike } from './run-data.ts';

const graph = {
  nodes: [{ id: 'hook' }, { id: 'fetch', name: 'Fetch order' }, { id: 'check' }, { id: 'other' }].map((n) => ({
    type: 'x',
    version: 1,
    params: {},
    ...n,
  })),
  edges: [
    { source: 'hook', sourcePort: 'main', target: 'fetch', targetPort: 'main' },
    { source: 'fetch', sourcePort: 'main', target: 'check', targetPort: 'main' },
    { source: 'hook', sourcePort: 'main', target: 'other', targetPort: 'main' },
  ],
};

const step = (s: Partial<StepLike> & Pick<StepLike, 'stepId'>): StepLike => ({
  iteration: '',
  attempt: 1,
  status: 'succeeded',
  ...s,
});

const run: RunLike = {
  id: 'r1',
  workflowId: 'w1',
  input: { body: { orderId: 7 } },
  steps: [
    step({ stepId: 'hook', output: { body: { orderId: 7 } } }),
    step({ stepId: 'fetch', attempt: 2, input: { body: { orderId: 7 } }, output: { total: 120 } }),
    step({ stepId: 'fetch', attempt: 1, status: 'failed', error: { message: 'timeout' } }),
    step({ stepId: 'check', input: { total: 120 }, status: 'failed', error: { message: 'boom' } }),
    step({ stepId: 'other', output: { side: true } }),
  ],
};

describe('step records', () => {
  it('orders attempts and picks the latest', () => {
    expect(attemptsOf(run, 'fetch').map((s) => s.attempt)).toEqual([1, 2]);
    expect(latestAttempt(run, 'fetch')?.output).toEqual({ total: 120 });
    expect(latestAttempt(run, 'missing')).toBeUndefined();
  });

  it('collects the outputs of completed steps only', () => {
    expect(stepOutputs(run)).toEqual({
      hook: { body: { orderId: 7 } },
      fetch: { total: 120 },
      other: { side: true },
    });
  });
});

describe('sampleDataFor', () => {
  it('builds the preview context from the last run: trigger, upstream steps only, input', () => {
    const sample = sampleDataFor(graph, 'check', run);
    expect(sample.hasSample).toBe(true);
    expect(sample.context).toEqual({
      trigger: { body: { orderId: 7 } },
      input: { total: 120 },
      steps: { fetch: { total: 120 }, hook: { body: { orderId: 7 } } },
    });
    expect(sample.sources.upstream).toEqual([{ id: 'fetch', name: 'Fetch order' }, { id: 'hook' }]);
  });

  it('prefers pinned data and falls back to the parent output for the input', () => {
    const sample = sampleDataFor(graph, 'check', undefined, { fetch: { total: 5 }, hook: { body: {} } });
    expect(sample.context).toEqual({
      trigger: { body: {} },
      input: { total: 5 },
      steps: { fetch: { total: 5 }, hook: { body: {} } },
    });
  });

  it('says when there is nothing to preview against', () => {
    const sample = sampleDataFor(graph, 'check', undefined);
    expect(sample.hasSample).toBe(false);
    expect(sample.context).toEqual({ steps: {} });
  });
});

describe('stepError', () => {
  it('reads stored errors defensively', () => {
    expect(stepError(null)).toBeUndefined();
    expect(stepError({ kind: 'fatal', name: 'HttpError', message: '404', details: { status: 404 } })).toEqual({
      kind: 'fatal',
      name: 'HttpError',
      message: '404',
      details: { status: 404 },
    });
    expect(stepError('boom')).toEqual({ message: 'boom' });
  });
});
