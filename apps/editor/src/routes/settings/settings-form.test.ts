import { describe, expect, it } from 'vitest';
import { checkSettings, draftFrom, fieldOfIssue } from './settings-form.ts';

const empty = { baseUrl: '', model: '', maxAgeDays: '', maxRunsPerWorkflow: '' };

describe('checkSettings', () => {
  it('turns empty fields into cleared values (no planner, no retention limit)', () => {
    expect(checkSettings(empty).update).toEqual({
      planner: { baseUrl: null, model: null },
      retention: { maxAgeDays: null, maxRunsPerWorkflow: null },
    });
  });

  it('accepts an OpenAI-compatible endpoint with a model and whole-number limits', () => {
    const r = checkSettings({
      baseUrl: ' http://127.0.0.1:8080/v1 ',
      model: 'llama3',
      maxAgeDays: '30',
      maxRunsPerWorkflow: '500',
    });
    expect(r.update).toEqual({
      planner: { baseUrl: 'http://127.0.0.1:8080/v1', model: 'llama3' },
      retention: { maxAgeDays: 30, maxRunsPerWorkflow: 500 },
    });
  });

  it('says what is wrong with each field and builds no update', () => {
    const r = checkSettings({ baseUrl: 'ftp://x', model: 'm', maxAgeDays: '2.5', maxRunsPerWorkflow: '0' });
    expect(r.update).toBeUndefined();
    expect(r.errors).toEqual({
      baseUrl: 'Enter an http(s) URL, such as https://api.openai.com/v1.',
      maxAgeDays: 'Enter a whole number of days, or leave it empty for no limit.',
      maxRunsPerWorkflow: 'Keep at least 1 run, or leave it empty for no limit.',
    });
  });

  it('asks for the endpoint when only a model is given', () => {
    expect(checkSettings({ ...empty, model: 'gpt-4o-mini' }).errors.baseUrl).toMatch(/endpoint/);
  });
});

describe('draftFrom and fieldOfIssue', () => {
  it('round-trips stored settings into the form and locates API issues', () => {
    expect(
      draftFrom({ planner: { baseUrl: null, model: 'm' }, retention: { maxAgeDays: 7, maxRunsPerWorkflow: null } }),
    ).toEqual({ baseUrl: '', model: 'm', maxAgeDays: '7', maxRunsPerWorkflow: '' });
    expect(fieldOfIssue('input.retention.maxAgeDays')).toBe('maxAgeDays');
    expect(fieldOfIssue('input')).toBeUndefined();
  });
});
