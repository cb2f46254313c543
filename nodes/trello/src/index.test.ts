import { createStaticCatalog, paramsJsonSchema, type NodeResult } from '@apiq/sdk';
import { rejectionOf, runNode } from '@apiq/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addComment, createCard, listCards, moveCard, trelloApiCall, trelloCredential } from './index.ts';
import { startFakeTrello, TEST_KEY, TEST_TOKEN, type FakeTrello } from './trello-test-api.ts';

let trello: FakeTrello;
beforeEach(async () => {
  trello = await startFakeTrello();
});
afterEach(async () => {
  await trello.close();
});

const output = (result: NodeResult) => {
  if (!('output' in result)) throw new Error('expected an output');
  return result.output as Record<string, unknown>;
};
const run = async <D extends Parameters<typeof runNode>[0]>(def: D, params: unknown, credential = trello.credential) =>
  output((await runNode(def, { params, credentials: { trello: credential }, api: trello.api })).result);

describe('trello connector definitions', () => {
  it('declares five app nodes that need the trello credential, and the credential kind', () => {
    const defs = [createCard, moveCard, addComment, listCards, trelloApiCall];
    expect(defs.map((d) => d.id)).toEqual([
      'trello.create_card',
      'trello.move_card',
      'trello.add_comment',
      'trello.list_cards',
      'trello.api_call',
    ]);
    for (const d of defs) {
      expect(d.category).toBe('app');
      expect(d.credentials).toEqual([expect.objectContaining({ kind: 'trello', required: true })]);
      expect(d.keywords).toContain('trello');
      expect(d.icon).toMatch(/^<svg /);
    }
    const catalog = createStaticCatalog(defs, [trelloCredential]);
    expect(catalog.credentialKind('trello')).toMatchObject({ auth: { type: 'query' }, secret: ['apiKey', 'token'] });
    expect(paramsJsonSchema(createCard)).toMatchObject({ required: ['listId', 'name'] });
  });

  it('rejects bad params with the field and an example', () => {
    const issue = (def: typeof createCard | typeof listCards, raw: unknown) =>
      def.params.safeParse(raw).error?.issues[0];
    expect(issue(createCard, { listId: 'todo', name: 'x' })).toMatchObject({ path: ['listId'] });
    expect(issue(createCard, { listId: 'todo', name: 'x' })?.message).toMatch(/24 hex characters/);
    expect(issue(createCard, { listId: trello.lists.todo, name: 'x', due: 'tomorrow' })?.message).toMatch(
      /ISO date-time/,
    );
    expect(issue(listCards, {})?.message).toMatch(/either listId .* or boardId/);
    expect(issue(listCards, { listId: trello.lists.todo, filter: 'closed' })).toMatchObject({ path: ['filter'] });
  });
});

describe('trello nodes against a Trello-speaking server', () => {
  it('creates a card: POST /1/cards with key and token, fields in the body, and returns the card', async () => {
    const card = await run(createCard, {
      listId: trello.lists.todo,
      name: 'Call Ada back',
      description: 'About the **invoice**',
      due: '2030-01-31T09:00:00Z',
      position: 'top',
    });
    const req = trello.api.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/1/cards', query: { key: TEST_KEY, token: TEST_TOKEN } });
    expect(req.json).toEqual({
      idList: trello.lists.todo,
      name: 'Call Ada back',
      pos: 'top',
      desc: 'About the **invoice**',
      due: '2030-01-31T09:00:00Z',
    });
    expect(card).toMatchObject({
      name: 'Call Ada back',
      description: 'About the **invoice**',
      listId: trello.lists.todo,
      boardId: trello.boardId,
      due: '2030-01-31T09:00:00Z',
      closed: false,
    });
    expect(card.id).toMatch(/^[0-9a-f]{24}$/);
    expect(card.url).toMatch(/^https:\/\/trello\.com\/c\//);
    expect(trello.cards.has(card.id as string)).toBe(true);
  });

  it('moves a card to another list with PUT /1/cards/:id', async () => {
    const created = await run(createCard, { listId: trello.lists.todo, name: 'Ship it' });
    const moved = await run(moveCard, { cardId: created.id, listId: trello.lists.done, position: 'bottom' });
    expect(trello.api.requests[1]).toMatchObject({
      method: 'PUT',
      path: `/1/cards/${created.id as string}`,
      json: { idList: trello.lists.done, pos: 'bottom' },
    });
    expect(moved).toMatchObject({ id: created.id, listId: trello.lists.done });
    expect(trello.cards.get(created.id as string)!.idList).toBe(trello.lists.done);
  });

  it('adds a comment and returns its id, text and date', async () => {
    const created = await run(createCard, { listId: trello.lists.todo, name: 'Review' });
    const comment = await run(addComment, { cardId: created.id, text: 'Deployed in v1.2' });
    expect(trello.api.requests[1]).toMatchObject({
      method: 'POST',
      path: `/1/cards/${created.id as string}/actions/comments`,
      json: { text: 'Deployed in v1.2' },
    });
    expect(trello.comments).toEqual([{ cardId: created.id, text: 'Deployed in v1.2' }]);
    expect(comment).toMatchObject({
      cardId: created.id,
      text: 'Deployed in v1.2',
      memberId: '5a0b0c0d0e0f101112131415',
    });
    expect(comment.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Date.parse(comment.date as string)).not.toBeNaN();
  });

  it('lists the cards of a list or of a board, with a limit', async () => {
    await run(createCard, { listId: trello.lists.todo, name: 'one' });
    await run(createCard, { listId: trello.lists.todo, name: 'two' });
    await run(createCard, { listId: trello.lists.done, name: 'three' });
    const ofList = await run(listCards, { listId: trello.lists.todo });
    expect(trello.api.requests.at(-1)).toMatchObject({ method: 'GET', path: `/1/lists/${trello.lists.todo}/cards` });
    expect(ofList.count).toBe(2);
    expect((ofList.cards as Array<{ name: string }>).map((c) => c.name)).toEqual(['one', 'two']);
    const ofBoard = await run(listCards, { boardId: trello.boardId, filter: 'all', limit: 2 });
    expect(trello.api.requests.at(-1)).toMatchObject({ path: `/1/boards/${trello.boardId}/cards/all` });
    expect(ofBoard.count).toBe(2);
  });

  it('makes a custom API call with the credential applied, and keeps it on the Trello base URL', async () => {
    const res = await run(trelloApiCall, { path: `/boards/${trello.boardId}/labels`, query: { fields: 'name,color' } });
    expect(trello.api.requests[0]).toMatchObject({
      method: 'GET',
      path: `/1/boards/${trello.boardId}/labels`,
      query: { fields: 'name,color', key: TEST_KEY, token: TEST_TOKEN },
    });
    expect(res.status).toBe(200);
    expect((res.body as Array<{ name: string }>).map((l) => l.name)).toEqual(['urgent', 'later']);
    expect(trelloApiCall.params.safeParse({ path: 'https://evil.example/x' }).error?.issues[0]?.message).toMatch(
      /must start with "\/"/,
    );
    expect(trelloApiCall.params.safeParse({ path: '//evil.example/x' }).success).toBe(false);
    expect(trelloApiCall.params.safeParse({ path: '/a/../../x' }).error?.issues[0]?.message).toMatch(/\.\./);
    expect(trelloApiCall.params.safeParse({ path: '/x', query: { token: 't' } }).error?.issues[0]?.path).toEqual([
      'query',
      'token',
    ]);
  });
});

describe('trello failures', () => {
  it('a wrong token is fatal and the message names the request and the fix, never the secrets', async () => {
    const err = await rejectionOf<{ kind: string; message: string }>(
      run(listCards, { listId: trello.lists.todo }, { ...trello.credential, token: 'wrong-token-value' }),
    );
    expect(err.kind).toBe('fatal');
    expect(err.message).toBe(
      `Trello answered 401 to GET /1/lists/${trello.lists.todo}/cards: invalid token (check the Trello credential's API key and token (the token may have expired or been revoked))`,
    );
    expect(err.message).not.toContain('wrong-token-value');
    expect(err.message).not.toContain(TEST_KEY);
  });

  it('an unknown card is fatal (404)', async () => {
    const err = await rejectionOf<{ kind: string; message: string }>(
      run(addComment, { cardId: 'aaaaaaaaaaaaaaaaaaaaaaaa', text: 'hi' }),
    );
    expect(err).toMatchObject({ kind: 'fatal' });
    expect(err.message).toMatch(/404 .*check the id/);
  });

  it('429 is rate limited with Retry-After, 5xx retryable', async () => {
    trello.failNext({
      status: 429,
      headers: { 'retry-after': '2' },
      json: { error: 'API_TOKEN_LIMIT_EXCEEDED', message: 'Rate limit exceeded' },
    });
    const busy = await rejectionOf<{ kind: string; retryAfterMs: number; message: string }>(
      run(createCard, { listId: trello.lists.todo, name: 'x' }),
    );
    expect(busy).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
    expect(busy.message).toMatch(/429 to POST \/1\/cards: Rate limit exceeded/);
    trello.failNext({ status: 503, body: 'Service Unavailable' });
    const down = await rejectionOf<{ kind: string }>(run(listCards, { boardId: trello.boardId }));
    expect(down.kind).toBe('retryable');
    expect(trello.cards.size).toBe(0);
  });

  it('a base URL that is not a URL is fatal and named', async () => {
    const err = await rejectionOf<{ kind: string; message: string }>(
      run(listCards, { listId: trello.lists.todo }, { ...trello.credential, baseUrl: 'api.trello.com/1' }),
    );
    expect(err).toMatchObject({ kind: 'fatal' });
    expect(err.message).toMatch(/baseUrl "api\.trello\.com\/1" is not a URL/);
  });

  it('a missing credential is fatal and says what to do', async () => {
    const err = await rejectionOf<Error>(
      runNode(listCards, { params: { listId: trello.lists.todo }, api: trello.api }),
    );
    expect(err.message).toMatch(/needs a Trello credential/);
    expect(trello.api.requests).toHaveLength(0);
  });

  it('refuses private addresses unless the allow-list opens them', async () => {
    const err = await rejectionOf<{ kind: string; message: string }>(
      run(listCards, { listId: trello.lists.todo }, { ...trello.credential, baseUrl: 'http://10.0.0.7/1' }),
    );
    expect(err.kind).toBe('fatal');
    expect(err.message).toMatch(/^Trello GET \/1\/lists\/.*blocked: 10\.0\.0\.7 is in private range/);
  });
});
