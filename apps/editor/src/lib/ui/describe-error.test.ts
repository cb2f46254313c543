import { describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { describeError } from './describe-error.ts';

const clientError = (message: string, data: Record<string, unknown>) =>
  TRPCClientError.from({ error: { message, code: -32600, data } });

describe('describeError', () => {
  it('keeps the server message of a tRPC error and titles it by its code', () => {
    const d = describeError(clientError('Workflow "abc" was not found', { code: 'NOT_FOUND', httpStatus: 404 }));
    expect(d).toMatchObject({ title: 'Not found', message: 'Workflow "abc" was not found', code: 'NOT_FOUND' });
  });

  it('lists located issues that come with the error', () => {
    const d = describeError(
      clientError('The workflow is invalid', {
        code: 'BAD_REQUEST',
        issues: [{ path: 'nodes[1].params.url', message: 'must be a URL', nodeId: 'fetch' }],
      }),
    );
    expect(d.issues).toEqual([{ path: 'nodes[1].params.url', message: 'must be a URL', nodeId: 'fetch' }]);
  });

  it('hides internal server messages and raw JSON behind a sentence that says what to do', () => {
    const internal = describeError(clientError('TypeError: x is undefined', { code: 'INTERNAL_SERVER_ERROR' }));
    expect(internal.message).toMatch(/server log/);
    const raw = describeError(clientError('[{"code":"invalid_type"}]', { code: 'BAD_REQUEST' }));
    expect(raw.message).toBe('Try again.');
  });

  it('recognises a network failure', () => {
    expect(describeError(new TypeError('Failed to fetch')).title).toBe('Cannot reach the APIQ server');
  });

  it('accepts strings and unknown values', () => {
    expect(describeError('Nope').message).toBe('Nope');
    expect(describeError(42).message).toMatch(/unknown error/);
  });
});
