import { defineNode, z, type Json } from '@apiq/sdk';
import { trelloId } from './card.ts';
import { TRELLO_ICON } from './icon.ts';
import { callTrello } from './trello-client.ts';

/** Adds a comment to a card. */
export const addComment = defineNode({
  id: 'trello.add_comment',
  version: 1,
  title: 'Add comment (Trello)',
  description:
    'Posts a comment on a Trello card (for example a status update or a link) and returns the comment id, text and date.',
  keywords: ['trello', 'comment', 'reply', 'note', 'card', 'message', 'update', 'activity'],
  category: 'app',
  icon: TRELLO_ICON,
  credentials: [{ kind: 'trello', required: true, description: 'Trello API key and token' }],
  params: z.strictObject({
    cardId: trelloId('cardId', 'card'),
    text: z
      .string()
      .min(1, 'text is required: the comment, e.g. "Deployed in v1.2"')
      .max(16384, 'text is longer than the 16384 characters Trello accepts')
      .describe('Comment text (Markdown)'),
  }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const { body } = await callTrello(ctx, {
      method: 'POST',
      path: `/cards/${encodeURIComponent(ctx.params.cardId)}/actions/comments`,
      body: { text: ctx.params.text },
    });
    const action = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, Json>;
    const data = (action.data ?? {}) as Record<string, Json>;
    return {
      output: {
        id: typeof action.id === 'string' ? action.id : '',
        cardId: ctx.params.cardId,
        text: typeof data.text === 'string' ? data.text : ctx.params.text,
        date: typeof action.date === 'string' ? action.date : null,
        memberId: typeof action.idMemberCreator === 'string' ? action.idMemberCreator : null,
      },
    };
  },
});
