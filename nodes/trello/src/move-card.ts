import { defineNode, z } from '@apiq/sdk';
import { position, toCard, trelloId } from './card.ts';
import { TRELLO_ICON } from './icon.ts';
import { callTrello } from './trello-client.ts';

/** Moves a card to another list (and optionally board). */
export const moveCard = defineNode({
  id: 'trello.move_card',
  version: 1,
  title: 'Move card (Trello)',
  description:
    'Moves a Trello card to another list, for example from "Doing" to "Done", optionally onto another board and to the top or bottom; returns the updated card.',
  keywords: ['trello', 'card', 'move', 'list', 'column', 'status', 'done', 'progress', 'kanban', 'update'],
  category: 'app',
  icon: TRELLO_ICON,
  credentials: [{ kind: 'trello', required: true, description: 'Trello API key and token' }],
  params: z.strictObject({
    cardId: trelloId('cardId', 'card'),
    listId: trelloId('listId', 'list').describe('The list to move the card to'),
    boardId: trelloId('boardId', 'board').optional().describe('The board of that list, when it is another board'),
    position: position.optional(),
  }),
  // Setting the same list twice leaves the card where the first call put it.
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const { body } = await callTrello(ctx, {
      method: 'PUT',
      path: `/cards/${encodeURIComponent(p.cardId)}`,
      body: {
        idList: p.listId,
        ...(p.boardId === undefined ? {} : { idBoard: p.boardId }),
        ...(p.position === undefined ? {} : { pos: p.position }),
      },
    });
    return { output: toCard(body) };
  },
});
