import { describe, it, expect } from 'vitest';
import { paramsJsonSchema } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { scheduleTrigger } from './index.ts';

function firstIssue(raw: unknown) {
  const result = scheduleTrigger.params.safeParse(raw);
  expect(result.success).toBe(false);
  return result.error?.issues[0];
}

describe('core.schedule_trigger', () => {
  it('is a schedule trigger without inputs', () => {
    expect(scheduleTrigger).toMatchObject({
      id: 'core.schedule_trigger',
      trigger: 'schedule',
      category: 'trigger',
      inputs: [],
      outputs: ['main'],
    });
    expect(paramsJsonSchema(scheduleTrigger)).toMatchObject({ type: 'object', required: ['cron'] });
  });

  it('fills in defaults and accepts IANA zones', () => {
    expect(scheduleTrigger.params.parse({ cron: '0 9 * * 1-5' })).toEqual({
      cron: '0 9 * * 1-5',
      timezone: 'UTC',
      missedTicks: 'skip',
    });
    expect(
      scheduleTrigger.params.parse({ cron: '0 9 * * *', timezone: 'Europe/Paris', missedTicks: 'run_once' }),
    ).toMatchObject({
      timezone: 'Europe/Paris',
      missedTicks: 'run_once',
    });
  });

  it('outputs the tick the engine fired', async () => {
    const tick = { scheduledAt: '2030-01-07T08:00:00.000Z', firedAt: '2030-01-07T08:00:00.412Z' };
    const { result } = await runNode(scheduleTrigger, { params: { cron: '0 9 * * 1' }, trigger: tick });
    expect(result).toEqual({ output: tick });
  });

  it('rejects bad cron expressions, zones and missed-tick policies with clear messages', () => {
    expect(firstIssue({ cron: '0 9 * *' })).toMatchObject({ path: ['cron'] });
    expect(firstIssue({ cron: '0 9 * *' })?.message).toMatch(/5 fields .* got 4/);
    expect(firstIssue({ cron: '0 24 * * *' })?.message).toBe('cron field 2 (hour): 24 is out of range 0-23');
    expect(firstIssue({})?.message).toMatch(/cron is required/);
    expect(firstIssue({ cron: '* * * * *', timezone: 'Mars/Olympus_Mons' })).toMatchObject({
      path: ['timezone'],
      message:
        '"Mars/Olympus_Mons" is not a known IANA time zone; use a name such as "UTC", "Europe/Paris" or "America/New_York"',
    });
    expect(firstIssue({ cron: '* * * * *', missedTicks: 'all' })?.message).toMatch(/missedTicks must be "skip"/);
  });
});
