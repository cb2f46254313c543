import { randomBytes } from 'node:crypto';
import { startTestApi, type TestApi, type TestApiReply, type TestApiRequest } from '@apiq/sdk/testing';

export const TEST_KEY = '0123456789abcdef0123456789abcdef';
export const TEST_TOKEN = 'ATTAtesttoken0123456789';

export interface FakeTrello {
  api: TestApi;
  /** The credential values pointing at this server. */
  credential: { apiKey: string; token: string; baseUrl: string };
  boardId: string;
  lists: { todo: string; done: string };
  cards: Map<string, Record<string, unknown>>;
  comments: Array<{ cardId: string; text: string }>;
  /** The next authenticated request gets this reply instead (e.g. a 429). */
  failNext(reply: TestApiReply): void;
  close(): Promise<void>;
}

const newId = () => randomBytes(12).toString('hex');

/**
 * A small Trello: one board with the lists "To do" and "Done", speaking the REST API's routes
 * under `/1`, checking `key` and `token` like Trello (401 "invalid key" / "invalid token" as
 * text) and answering with Trello's JSON shapes.
 */
export async function startFakeTrello(): Promise<FakeTrello> {
  const boardId = newId();
  const lists = { todo: newId(), done: newId() };
  const cards = new Map<string, Record<string, unknown>>();
  const comments: FakeTrello['comments'] = [];
  const failures: TestApiReply[] = [];
  const field = (req: TestApiRequest, name: string): unknown =>
    (req.json as Record<string, unknown> | undefined)?.[name] ?? req.query[name];

  const authed =
    (handler: (req: TestApiRequest) => TestApiReply) =>
    (req: TestApiRequest): TestApiReply => {
      if (req.query.key !== TEST_KEY)
        return { status: 401, body: 'invalid key', headers: { 'content-type': 'text/plain' } };
      if (req.query.token !== TEST_TOKEN)
        return { status: 401, body: 'invalid token', headers: { 'content-type': 'text/plain' } };
      return failures.shift() ?? handler(req);
    };
  const notFound: TestApiReply = { status: 404, body: 'The requested resource was not found.' };
  const invalidId = (what: string): TestApiReply => ({ status: 400, body: `invalid ${what}` });
  const knownList = (id: unknown) => id === lists.todo || id === lists.done;

  const api = await startTestApi({
    'POST /1/cards': authed((req) => {
      const idList = field(req, 'idList');
      if (!knownList(idList)) return invalidId('value for idList');
      const id = newId();
      const short = randomBytes(4).toString('hex');
      const card = {
        id,
        badges: { comments: 0 },
        closed: false,
        dateLastActivity: new Date().toISOString(),
        desc: String(field(req, 'desc') ?? ''),
        due: field(req, 'due') ?? null,
        dueComplete: false,
        idBoard: boardId,
        idLabels: String(field(req, 'idLabels') ?? '')
          .split(',')
          .filter(Boolean),
        idList,
        idMembers: String(field(req, 'idMembers') ?? '')
          .split(',')
          .filter(Boolean),
        labels: [],
        name: String(field(req, 'name') ?? ''),
        pos: field(req, 'pos') === 'top' ? 1024 : 65536 * (cards.size + 1),
        shortLink: short,
        shortUrl: `https://trello.com/c/${short}`,
        url: `https://trello.com/c/${short}/1-${String(field(req, 'name') ?? '')
          .toLowerCase()
          .replace(/\W+/g, '-')}`,
      };
      cards.set(id, card);
      return { json: card };
    }),
    'PUT /1/cards/:id': authed((req) => {
      const card = cards.get(req.params.id!);
      if (!card) return notFound;
      const idList = field(req, 'idList');
      if (idList !== undefined) {
        if (!knownList(idList)) return invalidId('value for idList');
        card.idList = idList;
      }
      const pos = field(req, 'pos');
      if (pos !== undefined) card.pos = pos === 'top' ? 512 : pos === 'bottom' ? 999_999 : pos;
      card.dateLastActivity = new Date().toISOString();
      return { json: card };
    }),
    'POST /1/cards/:id/actions/comments': authed((req) => {
      const card = cards.get(req.params.id!);
      if (!card) return notFound;
      const text = String(field(req, 'text') ?? '');
      if (!text) return invalidId('value for text');
      comments.push({ cardId: card.id as string, text });
      return {
        json: {
          id: newId(),
          idMemberCreator: '5a0b0c0d0e0f101112131415',
          data: {
            text,
            card: { id: card.id, name: card.name, idShort: 1, shortLink: card.shortLink },
            board: { id: boardId },
          },
          type: 'commentCard',
          date: new Date().toISOString(),
          limits: {},
          memberCreator: { id: '5a0b0c0d0e0f101112131415', username: 'ada' },
        },
      };
    }),
    'GET /1/lists/:id/cards': authed((req) => {
      if (!knownList(req.params.id)) return notFound;
      return { json: [...cards.values()].filter((c) => c.idList === req.params.id && c.closed === false) };
    }),
    'GET /1/boards/:id/cards/:filter': authed((req) => {
      if (req.params.id !== boardId) return notFound;
      const f = req.params.filter;
      return {
        json: [...cards.values()].filter(
          (c) => f === 'all' || (f === 'closed' ? c.closed === true : c.closed === false),
        ),
      };
    }),
    'GET /1/boards/:id/labels': authed((req) =>
      req.params.id === boardId
        ? {
            json: [
              { id: newId(), idBoard: boardId, name: 'urgent', color: 'red' },
              { id: newId(), idBoard: boardId, name: 'later', color: 'green' },
            ],
          }
        : notFound,
    ),
  });
  return {
    api,
    credential: { apiKey: TEST_KEY, token: TEST_TOKEN, baseUrl: `${api.url}/1` },
    boardId,
    lists,
    cards,
    comments,
    failNext: (reply) => void failures.push(reply),
    close: () => api.close(),
  };
}
