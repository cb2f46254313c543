import later from '@breejs/later';
import { toWallClock } from './missed-ticks.ts';

/**
 * The next `count` times `cron` (read in `timezone`) fires after `from`, computed with the same
 * cron library and wall-clock mapping as the Scheduler.
 *
 * @example
 * nextScheduleTicks('0 9 * * 1-5', 'Europe/Paris', 3); // the next three weekday 9:00s in Paris
 */
export function nextScheduleTicks(cron: string, timezone: string, count: number, from = new Date()): Date[] {
  const hasSeconds = cron.trim().split(/\s+/).length === 6;
  const schedule = later.schedule(later.parse.cron(cron, hasSeconds));
  const unit = hasSeconds ? 1000 : 60_000;
  const out: Date[] = [];
  let cursor = from;
  while (out.length < count) {
    const wallCursor = toWallClock(cursor, timezone);
    // later's next() includes the starting instant; start one unit on so a tick is not repeated.
    const next = schedule.next(1, new Date(Math.floor(wallCursor.getTime() / unit) * unit + unit));
    if (!(next instanceof Date)) break;
    const at = new Date(cursor.getTime() + (next.getTime() - wallCursor.getTime()));
    out.push(at);
    cursor = at;
  }
  return out;
}
