import { z, type Json } from '@apiq/sdk';

/** The fields of a Trello card that workflows use, with plain names. */
export interface TrelloCard {
  [key: string]: Json;
  id: string;
  name: string;
  description: string;
  url: string;
  shortUrl: string;
  listId: string;
  boardId: string;
  due: string | null;
  closed: boolean;
  position: number;
  labels: string[];
  memberIds: string[];
  lastActivity: string | null;
}

/** Trello's card JSON (`idList`, `desc`, `pos`, …) as a TrelloCard. */
export function toCard(raw: Json): TrelloCard {
  const c = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, Json>;
  const str = (v: Json | undefined) => (typeof v === 'string' ? v : '');
  const labels = Array.isArray(c.labels) ? c.labels : [];
  return {
    id: str(c.id),
    name: str(c.name),
    description: str(c.desc),
    url: str(c.url),
    shortUrl: str(c.shortUrl),
    listId: str(c.idList),
    boardId: str(c.idBoard),
    due: typeof c.due === 'string' ? c.due : null,
    closed: c.closed === true,
    position: typeof c.pos === 'number' ? c.pos : 0,
    labels: labels.map((l) => (l && typeof l === 'object' && !Array.isArray(l) ? str(l.name) || str(l.color) : '')),
    memberIds: Array.isArray(c.idMembers) ? c.idMembers.filter((m): m is string => typeof m === 'string') : [],
    lastActivity: typeof c.dateLastActivity === 'string' ? c.dateLastActivity : null,
  };
}

const TRELLO_ID = /^(?:[0-9a-f]{24}|[A-Za-z0-9]{8})$/;

/** A Trello id param (24 hex characters; cards and boards also take their 8-character short link). */
export function trelloId(name: string, what: string) {
  return z
    .string({ error: `${name} is required: the ${what}'s id` })
    .trim()
    .regex(
      TRELLO_ID,
      `${name} must be a Trello ${what} id (24 hex characters such as "5f1c2d3e4a5b6c7d8e9f0a1b"); add ".json" to the ${what}'s URL in Trello to see it`,
    )
    .describe(`Trello ${what} id`);
}

export const position = z
  .union([z.enum(['top', 'bottom']), z.number().positive()])
  .describe('"top", "bottom" or a positive number (Trello orders cards by it)');
