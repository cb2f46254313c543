import { describe, it, expect } from 'vitest';
import { FatalError, serializeError } from '@apiq/sdk';
import { testContext } from '@apiq/sdk/testing';
import { stopError } from './index.ts';

describe('core.stop_error', () => {
  it('is a flow node without side effects', () => {
    expect(stopError).toMatchObject({
      id: 'core.stop_error',
      title: 'Stop with error',
      category: 'flow',
      sideEffects: false,
    });
  });

  it('throws a fatal error carrying the message', () => {
    const params = stopError.params.parse({ message: 'Order 42 has a negative total' });
    let thrown: unknown;
    try {
      stopError.run(testContext(params, { input: { id: 42 } }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FatalError);
    expect(serializeError(thrown)).toMatchObject({ kind: 'fatal', message: 'Order 42 has a negative total' });
  });

  it('requires a non-empty message', () => {
    const missing = stopError.params.safeParse({});
    expect(missing.error?.issues[0]).toMatchObject({ path: ['message'] });
    expect(missing.error?.issues[0]?.message).toMatch(/message is required/);
    const blank = stopError.params.safeParse({ message: '   ' });
    expect(blank.error?.issues[0]?.message).toMatch(/must not be empty/);
  });
});
