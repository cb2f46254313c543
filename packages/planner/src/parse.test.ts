import { describe, expect, it } from 'vitest';
import { parseCondition } from './offline/condition.ts';
import { parsePrompt, splitSteps } from './offline/parse.ts';

describe('parsePrompt', () => {
  it('separates the trigger clause from the steps', () => {
    const p = parsePrompt('When a new GitHub issue is created, send a Slack notification and create a Trello card');
    expect(p.triggerClause).toBe('When a new GitHub issue is created');
    expect(p.steps).toEqual([
      { kind: 'action', clause: 'send a Slack notification' },
      { kind: 'action', clause: 'create a Trello card' },
    ]);
  });

  it('reads if / otherwise into two branches', () => {
    const p = parsePrompt(
      'Receive a webhook with an order; if the amount is over 100, post to #big, otherwise email a@b.co',
    );
    expect(p.steps).toEqual([
      {
        kind: 'if',
        conditionText: 'the amount is over 100',
        then: [{ kind: 'action', clause: 'post to #big' }],
        else: [{ kind: 'action', clause: 'email a@b.co' }],
      },
    ]);
  });

  it('reads loops, waits and "only for" conditions', () => {
    const loop = parsePrompt('Fetch https://x.example/users and for each user create a Trello card');
    expect(loop.steps[1]).toMatchObject({ kind: 'loop', itemsText: 'user', body: [{ kind: 'action' }] });
    const wait = parsePrompt('When a request comes in, wait 10 minutes, then email ops@example.com');
    expect(wait.steps[0]).toMatchObject({ kind: 'wait', durationMs: 600_000, approval: false });
    const only = parsePrompt('When a GitHub issue is opened, post to Slack only for issues labelled bug');
    expect(only.steps[0]).toMatchObject({ kind: 'if', conditionText: 'issues labelled bug' });
  });

  it('splits steps at "then", ";" and "and" before a verb, but not inside a noun phrase', () => {
    expect(splitSteps('fetch the orders and then email them; post to #ops')).toEqual([
      'fetch the orders',
      'email them',
      'post to #ops',
    ]);
    expect(splitSteps('summarize bugs and feature requests')).toEqual(['summarize bugs and feature requests']);
  });
});

describe('parseCondition', () => {
  it('reads comparisons, labels and "contains" over the trigger data', () => {
    expect(parseCondition('the amount is over 100', 'core.webhook_trigger').condition).toEqual({
      '>': [{ var: 'trigger.body.amount' }, 100],
    });
    expect(parseCondition('issues labelled bug', 'github.issue_opened').condition).toEqual({
      some: [{ var: 'trigger.issue.labels' }, { '==': [{ var: 'name' }, 'bug'] }],
    });
    expect(parseCondition('it mentions security', 'github.issue_opened').condition).toEqual({
      in: ['security', { var: 'trigger.issue.title' }],
    });
    expect(parseCondition('the score is at least 80', 'core.webhook_trigger', false).condition).toEqual({
      '>=': [{ var: 'input.score' }, 80],
    });
  });

  it('says when it could not read the words', () => {
    expect(parseCondition('the moon is full-ish maybe', 'core.manual_trigger')).toMatchObject({ understood: false });
  });
});
