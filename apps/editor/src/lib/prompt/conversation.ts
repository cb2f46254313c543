import type { ConversationTurn, PlannerProposal } from './types.ts';

/** Turns kept with a workflow (the API keeps at most 200). */
export const KEPT_TURNS = 100;
/** Turns sent to the planner as context. */
const HISTORY_TURNS = 40;

/**
 * The conversation as the planner reads it: `{ role, content }`, newest 40 turns.
 *
 * @example
 * trpc.planner.propose.mutate({ message, current, history: plannerHistory(turns) });
 */
export function plannerHistory(
  turns: readonly ConversationTurn[],
): Array<{ role: 'user' | 'assistant'; content: string }> {
  return turns.slice(-HISTORY_TURNS).map((t) => ({ role: t.role, content: t.text }));
}

/** The user's message as a turn. */
export function userTurn(text: string, at = new Date()): ConversationTurn {
  return { role: 'user', text, at: at.toISOString() };
}

/** The planner's answer as a turn: its question, or its summary, and what it could not fix. */
export function answerTurn(
  proposal: Pick<PlannerProposal, 'question' | 'summary' | 'issues' | 'planner'>,
  at = new Date(),
): ConversationTurn {
  const turn: ConversationTurn = {
    role: 'assistant',
    text: (proposal.question ?? proposal.summary).slice(0, 8000),
    at: at.toISOString(),
    planner: proposal.planner,
  };
  if (proposal.question) turn.question = true;
  if (proposal.issues.length > 0) turn.issues = proposal.issues.slice(0, 50).map((i) => i.message.slice(0, 1000));
  return turn;
}

/**
 * Records what became of the newest proposal (confirmed or discarded) on its answer.
 *
 * @example
 * turns = withOutcome(turns, 'confirmed');
 */
export function withOutcome(
  turns: readonly ConversationTurn[],
  outcome: 'confirmed' | 'discarded',
): ConversationTurn[] {
  let index = turns.length - 1;
  while (index >= 0 && !(turns[index]!.role === 'assistant' && !turns[index]!.question)) index--;
  if (index < 0 || turns[index]!.outcome) return [...turns];
  const next = [...turns];
  next[index] = { ...turns[index]!, outcome };
  return next;
}

/** The newest turns, as many as are kept. */
export function trimTurns(turns: readonly ConversationTurn[]): ConversationTurn[] {
  return turns.slice(-KEPT_TURNS);
}
