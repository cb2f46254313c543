import { describe, expect, it } from 'vitest';
import { parseSchedule, parseTime } from './offline/schedule.ts';

describe('parseSchedule', () => {
  it.each([
    ['every 15 minutes', '*/15 * * * *'],
    ['every minute', '* * * * *'],
    ['hourly', '0 * * * *'],
    ['every 2 hours', '0 */2 * * *'],
    ['every day at 8:30', '30 8 * * *'],
    ['daily at 5pm', '0 17 * * *'],
    ['every Monday at 9am', '0 9 * * 1'],
    ['every monday and friday at 10am', '0 10 * * 1,5'],
    ['on weekdays at 6pm', '0 18 * * 1-5'],
    ['every weekend', '0 10 * * 0,6'],
    ['every morning', '0 9 * * *'],
    ['every night at 11pm', '0 23 * * *'],
    ['weekly', '0 9 * * 1'],
    ['monthly on the 15th', '0 9 15 * *'],
    ['at 7am every day', '0 7 * * *'],
    ['every Sunday at 20:00', '0 20 * * 0'],
  ])('reads "%s" as %s', (phrase, cron) => {
    expect(parseSchedule(`send a report ${phrase}`)?.cron).toBe(cron);
  });

  it('finds nothing in a sentence without a schedule', () => {
    expect(parseSchedule('when a GitHub issue is opened, post to Slack')).toBeUndefined();
  });

  it('reads times of day', () => {
    expect(parseTime('12am')).toEqual([0, 0]);
    expect(parseTime('12:15 pm')).toEqual([12, 15]);
    expect(parseTime('noon')).toEqual([12, 0]);
    expect(parseTime('25:00')).toBeUndefined();
  });
});
