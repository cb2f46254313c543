// The editor type-checks this file through the API types; it needs the module declaration too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./later.d.ts" />
import later from '@breejs/later';

/**
 * The latest tick of `cron` (read in `timezone`) after `since` and not after `now`, or undefined
 * when none was missed. Both instants are mapped to the zone's wall-clock time, so a cron like
 * "0 9 * * *" in Europe/Paris means 9:00 in Paris.
 */
export function lastMissedTick(cron: string, timezone: string, since: Date, now: Date): Date | undefined {
  const hasSeconds = cron.trim().split(/\s+/).length === 6;
  const schedule = later.schedule(later.parse.cron(cron, hasSeconds));
  const wallNow = toWallClock(now, timezone);
  const wallSince = toWallClock(since, timezone);
  const prev = schedule.prev(1, wallNow);
  if (!(prev instanceof Date) || prev.getTime() <= wallSince.getTime()) return undefined;
  return new Date(now.getTime() - (wallNow.getTime() - prev.getTime()));
}

/** The same wall-clock reading in UTC: 09:00 in Paris becomes 09:00Z. */
export function toWallClock(at: Date, timezone: string): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return new Date(
    Date.UTC(
      +parts.year!,
      +parts.month! - 1,
      +parts.day!,
      +parts.hour!,
      +parts.minute!,
      +parts.second!,
      at.getUTCMilliseconds(),
    ),
  );
}
