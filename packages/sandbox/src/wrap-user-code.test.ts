import { describe, it, expect } from 'vitest';
import { USER_CODE_LINE_OFFSET, parseCompileError, userCodePosition, wrapUserCode } from './wrap-user-code.ts';

describe('wrapUserCode', () => {
  it('puts the user code on the line the offset points at', () => {
    const lines = wrapUserCode('MARKER').split('\n');
    expect(lines[-USER_CODE_LINE_OFFSET]).toBe('MARKER');
  });
});

describe('userCodePosition', () => {
  it('takes the first frame inside the user code and skips runner frames', () => {
    const stack = [
      'TypeError: x is not a function',
      '    at helper (user-code.js:-12:3)',
      '    at user-code.js:7:9',
      '    at user-code.js:2:1',
    ].join('\n');
    expect(userCodePosition(stack, 5)).toEqual({ line: 2, column: 1 });
    expect(userCodePosition(stack, 10)).toEqual({ line: 7, column: 9 });
    expect(userCodePosition('Error: no frames', 10)).toBeUndefined();
  });
});

describe('parseCompileError', () => {
  it('splits the message from the position', () => {
    expect(parseCompileError("Unexpected token ';' [user-code.js:2:13]")).toEqual({
      message: "Unexpected token ';'",
      line: 2,
      column: 13,
    });
    expect(parseCompileError('Something else')).toEqual({ message: 'Something else' });
  });
});
