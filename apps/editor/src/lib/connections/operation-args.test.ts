import { describe, it, expect } from 'vitest';
import { argsToSend, issuesFor, statusTone } from './operation-args.ts';

describe('operation arguments in the explorer', () => {
  it('drops values left empty', () => {
    expect(
      argsToSend({ path: { petId: 10 }, query: { status: '', limit: 0 }, headers: { x: undefined }, body: '' }),
    ).toEqual({
      path: { petId: 10 },
      query: { limit: 0 },
      headers: {},
    });
    expect(argsToSend({ path: {}, query: {}, headers: {}, body: { name: 'Rex' } }).body).toEqual({ name: 'Rex' });
  });

  it('files server issues under the part of the form they name', () => {
    const issues = [
      { path: 'input.args.path.petId', message: 'needs petId' },
      { path: 'input.args.body.tags.0', message: 'must be a string' },
      { path: 'input.args.body', message: 'needs a body' },
      { path: 'input.serverUrl', message: 'not a URL' },
    ];
    expect(issuesFor(issues, 'path').map((i) => i.param)).toEqual(['petId']);
    expect(issuesFor(issues, 'body').map((i) => i.param)).toEqual(['tags.0', '']);
    expect(issuesFor(issues, 'query')).toEqual([]);
  });

  it('colours statuses by family', () => {
    expect([200, 301, 404, 503, 0].map(statusTone)).toEqual(['success', 'info', 'warning', 'danger', 'danger']);
  });
});

describe('argument labels', () => {
  it('titles each parameter by its exact name unless the spec gave a title', async () => {
    const { titledByName } = await import('./operation-args.ts');
    const schema = titledByName({
      type: 'object',
      properties: { petId: { type: 'integer' }, q: { type: 'string', title: 'Query' } },
    });
    expect(schema.properties).toEqual({
      petId: { type: 'integer', title: 'petId' },
      q: { type: 'string', title: 'Query' },
    });
  });
});
