import { describe, expect, it } from 'vitest';
import { answerTurn, KEPT_TURNS, plannerHistory, trimTurns, userTurn, withOutcome } from './conversation.ts';

const at = new Date('2026-11-27T10:00:00.000Z');

describe('conversation turns', () => {
  it('records a proposal by its summary and a question as a question, with the problems left', () => {
    expect(answerTurn({ planner: 'offline', summary: '3 steps', issues: [] }, at)).toEqual({
      role: 'assistant',
      text: '3 steps',
      at: '2026-11-27T10:00:00.000Z',
      planner: 'offline',
    });
    const asked = answerTurn(
      {
        planner: 'offline',
        summary: 'Unclear where to notify.',
        question: 'Where should it go: Slack or email?',
        issues: [{ code: 'c', path: 'nodes', message: 'no trigger' }],
      },
      at,
    );
    expect(asked).toMatchObject({
      text: 'Where should it go: Slack or email?',
      question: true,
      issues: ['no trigger'],
    });
  });

  it('marks the newest proposal, not a later question, as confirmed or discarded once', () => {
    const turns = [
      userTurn('GitHub to Slack', at),
      answerTurn({ planner: 'offline', summary: '2 steps', issues: [] }, at),
      userTurn('also tell them', at),
      answerTurn({ planner: 'offline', summary: '?', question: 'Who?', issues: [] }, at),
    ];
    const done = withOutcome(turns, 'confirmed');
    expect(done[1]!.outcome).toBe('confirmed');
    expect(done[3]!.outcome).toBeUndefined();
    expect(withOutcome(done, 'discarded')[1]!.outcome).toBe('confirmed');
    expect(withOutcome([userTurn('x', at)], 'discarded')).toEqual([userTurn('x', at)]);
  });

  it('sends the newest 40 turns to the planner and keeps the newest 100', () => {
    const many = Array.from({ length: 130 }, (_, i) => userTurn(`m${i}`, at));
    const history = plannerHistory(many);
    expect(history).toHaveLength(40);
    expect(history[39]).toEqual({ role: 'user', content: 'm129' });
    expect(trimTurns(many)).toHaveLength(KEPT_TURNS);
    expect(trimTurns(many)[0]!.text).toBe('m30');
  });
});
