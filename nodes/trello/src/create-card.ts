import { defineNode, z } from '@apiq/sdk';
import { position, toCard, trelloId } from './card.ts';
import { TRELLO_ICON } from './icon.ts';
import { callTrello } from './trello-client.ts';

/** Creates a card in a Trello list. */
export const createCard = defineNode({
  id: 'trello.create_card',
  version: 1,
  title: 'Create card (Trello)',
  description:
    'Creates a card (task) in a Trello list, with a title, description, due date, labels and members, and returns the new card with its id and URL.',
  keywords: ['trello', 'card', 'create', 'add', 'new', 'task', 'todo', 'ticket', 'kanban', 'board', 'list'],
  category: 'app',
  icon: TRELLO_ICON,
  credentials: [{ kind: 'trello', required: true, description: 'Trello API key and token' }],
  params: z.strictObject({
    listId: trelloId('listId', 'list'),
    name: z.string().min(1, 'name is required: the card title, e.g. "Call Ada back"').describe('Card title'),
    description: z.string().optional().describe('Card description (Markdown)'),
    due: z.iso
      .datetime({ offset: true, error: 'due must be an ISO date-time such as "2030-01-31T09:00:00Z"' })
      .optional()
      .describe('Due date (ISO 8601)'),
    position: position.default('bottom'),
    labelIds: z.array(trelloId('labelIds[]', 'label')).optional().describe('Ids of labels to put on the card'),
    memberIds: z.array(trelloId('memberIds[]', 'member')).optional().describe('Ids of members to assign'),
  }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const { body } = await callTrello(ctx, {
      method: 'POST',
      path: '/cards',
      body: {
        idList: p.listId,
        name: p.name,
        pos: p.position,
        ...(p.description === undefined ? {} : { desc: p.description }),
        ...(p.due === undefined ? {} : { due: p.due }),
        ...(p.labelIds ? { idLabels: p.labelIds.join(',') } : {}),
        ...(p.memberIds ? { idMembers: p.memberIds.join(',') } : {}),
      },
    });
    const card = toCard(body);
    ctx.log.info('card created', { id: card.id, url: card.url });
    return { output: card };
  },
});
