import type { IncomingMessage, ServerResponse } from 'node:http';

/** How often an idle stream sends a comment, so proxies and browsers keep it open. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * A server-sent events response: proper headers, `event:`/`data:` frames, keep-alive comments,
 * and one `onClose` callback when the client goes away or the stream is ended.
 */
export class SseStream {
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly closers: (() => void)[] = [];

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    keepAliveMs = KEEP_ALIVE_MS,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n\n`);
    this.timer = setInterval(() => this.comment('keep-alive'), keepAliveMs);
    this.timer.unref();
    req.on('close', () => this.close());
    res.on('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` once when the stream closes (client gone, or `close()`). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closers.push(fn);
  }

  send(event: string, data: unknown): void {
    if (this.closed) return;
    this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.res.write(`: ${text}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const fn of this.closers.splice(0)) fn();
    if (!this.res.writableEnded) this.res.end();
  }
}
