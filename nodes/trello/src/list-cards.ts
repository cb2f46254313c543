import { defineNode, z } from '@apiq/sdk';
import { toCard, trelloId } from './card.ts';
import { TRELLO_ICON } from './icon.ts';
import { callTrello } from './trello-client.ts';

/** Lists the cards of a list or a board. */
export const listCards = defineNode({
  id: 'trello.list_cards',
  version: 1,
  title: 'List cards (Trello)',
  description:
    'Gets the cards of a Trello list or of a whole board (open, closed/archived or all), with their names, descriptions, due dates, labels and URLs.',
  keywords: ['trello', 'cards', 'list', 'get', 'read', 'find', 'search', 'board', 'tasks', 'fetch', 'all'],
  category: 'app',
  icon: TRELLO_ICON,
  credentials: [{ kind: 'trello', required: true, description: 'Trello API key and token' }],
  params: z
    .strictObject({
      listId: trelloId('listId', 'list').optional().describe('Cards of this list'),
      boardId: trelloId('boardId', 'board').optional().describe('Or: cards of this whole board'),
      filter: z
        .enum(['open', 'closed', 'all'])
        .default('open')
        .describe('Which cards of a board: open, closed (archived) or all'),
      limit: z.number().int().min(1).max(1000).optional().describe('At most this many cards'),
    })
    .superRefine((p, issue) => {
      if ((p.listId === undefined) === (p.boardId === undefined))
        issue.addIssue({
          code: 'custom',
          path: ['listId'],
          message: 'give either listId (cards of one list) or boardId (cards of a whole board), not both or neither',
        });
      if (p.listId !== undefined && p.filter !== 'open')
        issue.addIssue({
          code: 'custom',
          path: ['filter'],
          message: 'filter works with boardId only: a list returns its open cards',
        });
    }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const path =
      p.listId !== undefined
        ? `/lists/${encodeURIComponent(p.listId)}/cards`
        : `/boards/${encodeURIComponent(p.boardId!)}/cards/${p.filter}`;
    const { body } = await callTrello(ctx, { method: 'GET', path });
    const cards = (Array.isArray(body) ? body : []).map(toCard);
    const limited = p.limit === undefined ? cards : cards.slice(0, p.limit);
    return { output: { cards: limited, count: limited.length } };
  },
});
