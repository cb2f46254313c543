import { describe, it, expect } from 'vitest';
import { LogSink } from './log-sink.ts';

describe('LogSink', () => {
  it('keeps well-formed entries and ignores anything else', () => {
    const sink = new LogSink(10, 100);
    sink.receive('info', 'hello');
    sink.receive('trace', 'unknown level');
    sink.receive('warn', { not: 'a string' });
    sink.receive(1, 'x');
    expect(sink.entries.map((e) => [e.level, e.message])).toEqual([['info', 'hello']]);
  });

  it('truncates long messages and notes once that the count limit was reached', () => {
    const sink = new LogSink(2, 5);
    for (let i = 0; i < 5; i++) sink.receive('info', '123456789');
    expect(sink.entries.map((e) => e.message)).toEqual([
      '12345… (truncated)',
      '12345… (truncated)',
      'Log limit reached: only the first 2 console messages are kept.',
    ]);
  });
});
