import { z } from 'zod';
import { procedure } from '../trpc.ts';
import { Id } from '../schemas.ts';
import { getConversation, saveConversation } from '../services/planner-conversations.ts';

/** Turns kept per workflow; the editor keeps the newest ones. */
export const MAX_CONVERSATION_TURNS = 200;

export const ConversationTurnRecord = z
  .object({
    role: z.enum(['user', 'assistant']),
    /** What the user typed, or the planner's summary / question. */
    text: z.string().max(8_000, 'a turn holds at most 8 000 characters'),
    /** ISO time the turn was made. */
    at: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }),
    /** Which planner answered (assistant turns). */
    planner: z.enum(['offline', 'model']).optional(),
    /** The planner asked a question instead of proposing. */
    question: z.boolean().optional(),
    /** Problems the planner could not repair, in words. */
    issues: z.array(z.string().max(1_000)).max(50).optional(),
    /** What the user did with the proposal of this turn. */
    outcome: z.enum(['confirmed', 'discarded']).optional(),
  })
  .strict();
export type ConversationTurnRecord = z.infer<typeof ConversationTurnRecord>;

export const ConversationInput = z.object({ workflowId: Id }).strict();
export const SaveConversationInput = z
  .object({
    workflowId: Id,
    turns: z
      .array(ConversationTurnRecord)
      .max(MAX_CONVERSATION_TURNS, `keep at most ${MAX_CONVERSATION_TURNS} turns (drop the oldest)`),
  })
  .strict();

/** The prompt bar's conversation, kept with each workflow (`planner.conversation`, `planner.saveConversation`). */
export const plannerConversationProcedures = {
  /** `{ workflowId }` → `{ workflowId, turns, updatedAt }`; NOT_FOUND for a workflow outside the workspace. */
  conversation: procedure.input(ConversationInput).query(({ ctx, input }) => getConversation(ctx, input.workflowId)),
  /** `{ workflowId, turns }` replaces the conversation (an empty list clears it). */
  saveConversation: procedure
    .input(SaveConversationInput)
    .mutation(({ ctx, input }) => saveConversation(ctx, input.workflowId, input.turns)),
};
