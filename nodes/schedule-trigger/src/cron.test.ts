import { describe, it, expect } from 'vitest';
import { cronProblem } from './cron.ts';

describe('cronProblem', () => {
  it.each([
    '* * * * *',
    '0 9 * * 1-5',
    '*/15 * * * *',
    '0 0 1 * *',
    '30 8 * * MON-FRI',
    '0 12 * JAN,JUL ?',
    '0 0 L * *',
    '0 0 15W * *',
    '0 0 ? * 5L',
    '0 10 ? * 1#2',
    '5/10 * * * *',
    '0 0 * * 0,6',
    '0 0 * * FRIL',
    '*/30 * * * * *',
    '0 0 9 * * SUN',
    '  0   9 * * *  ',
  ])('accepts %s', (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });

  it.each([
    ['', /cron is empty/],
    ['* * * *', /must have 5 fields .* got 4/],
    ['* * * * * * *', /got 7/],
    ['@daily', /got 1/],
    ['0 25 * * *', /field 2 \(hour\): 25 is out of range 0-23/],
    ['60 * * * *', /field 1 \(minute\): 60 is out of range 0-59/],
    ['0 0 0 * *', /field 3 \(day of month\): 0 is out of range 1-31/],
    ['0 0 * 13 *', /field 4 \(month\): 13 is out of range 1-12/],
    ['0 0 * * 8', /field 5 \(day of week\): 8 is out of range 0-6/],
    ['0 0 * * 7', /7 is not accepted for Sunday; use 0 or SUN/],
    ['0 0 * * 5-7', /7 is not accepted for Sunday/],
    ['0 0 * * mon', /"mon" must be written in capitals/],
    ['0 0 LW * *', /"LW" is not valid here/],
    ['0 0 L-3 * *', /"L" is not valid here; use a number 1-31, L \(last day\)/],
    ['0 0 32W * *', /32 is out of range 1-31/],
    ['0 0 ? * L', /"L" alone is not supported in day of week/],
    ['0 0 * FOO *', /"FOO" is not valid here; use a number 1-12 or a name JAN-DEC/],
    ['0 9 * * 1;2', /contains ";"/],
    ['*/0 * * * *', /step "\/0" is not allowed/],
    ['0 9-5 * * *', /range "9-5" goes backwards/],
    ['? * * * *', /"\?" is only allowed in day of month and day of week/],
    ['1,,2 * * * *', /empty list entry/],
    ['1-2-3 * * * *', /not a value, a range/],
    ['0 0 ? * 1#6', /"#6" \(week of the month\) is out of range 1-5/],
    ['0 0 * * MON L', /field 5 \(month\): "MON" is not valid here/],
  ])('rejects %j', (cron, message) => {
    expect(cronProblem(cron)).toMatch(message);
  });
});
