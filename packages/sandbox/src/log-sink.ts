import type { LogEntry } from '@apiq/sdk';

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

/**
 * Collects console output from one run. `receive` is the only host function the isolate can
 * call: it accepts two strings, ignores anything else and enforces the count and size caps
 * itself (the isolate-side caps are only there to save copying).
 *
 * @example
 * const sink = new LogSink(100, 4000);
 * sink.receive('info', 'hello');
 * sink.entries; // [{ level: 'info', message: 'hello', at: '2026-…' }]
 */
export class LogSink {
  readonly entries: LogEntry[] = [];
  private dropped = false;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  readonly receive = (level: unknown, message: unknown): void => {
    if (typeof level !== 'string' || typeof message !== 'string' || !LEVELS.has(level)) return;
    if (this.entries.length >= this.maxEntries) {
      if (!this.dropped) {
        this.dropped = true;
        this.entries.push({
          level: 'warn',
          message: `Log limit reached: only the first ${this.maxEntries} console messages are kept.`,
          at: new Date().toISOString(),
        });
      }
      return;
    }
    const text = message.length > this.maxChars ? `${message.slice(0, this.maxChars)}… (truncated)` : message;
    this.entries.push({ level: level as LogEntry['level'], message: text, at: new Date().toISOString() });
  };
}
