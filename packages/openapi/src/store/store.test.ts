import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WORKSPACE_ID, type Database, type Kysely } from '@apiq/db';
import { createTestDatabase, testServers, type TestDatabase } from '@apiq/db/testing';
import { createSafeFetch } from '@apiq/http';
import { startLocalServer } from '@apiq/http/testing';
import { rejectionOf } from '@apiq/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../parse-spec.ts';
import { importSpec, refreshSpec } from './import-spec.ts';
import { deleteSpec, getOperation, listSpecs, loadSpec, readRawSpec } from './read-specs.ts';
import { saveSpec } from './save-spec.ts';
import { searchOperations } from './search-operations.ts';

const require = createRequire(import.meta.url);
const petstoreFile = fileURLToPath(new URL('../../specs/petstore.yaml', import.meta.url));
const ws = DEFAULT_WORKSPACE_ID;

describe('stored specs', () => {
  let test: TestDatabase;
  let db: Kysely<Database>;
  const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });

  beforeAll(async () => {
    test = await createTestDatabase(testServers()[0]!.url);
    db = test.db;
  });
  afterAll(async () => {
    fetch.close();
    await test.drop();
  });

  it('imports a file, lists it, loads it back unchanged and keeps the raw text', async () => {
    const result = await importSpec(db, ws, { file: petstoreFile }, { name: 'Petstore', slug: 'petstore' });
    expect(result).toMatchObject({ slug: 'petstore', operations: 19, skipped: [], notModified: false });
    const [summary] = await listSpecs(db, ws);
    expect(summary).toMatchObject({
      slug: 'petstore',
      name: 'Petstore',
      specVersion: '3.0.3',
      operations: 19,
      skipped: 0,
    });
    const parsed = await parseSpec(await readFile(petstoreFile, 'utf8'));
    const stored = await loadSpec(db, ws, 'petstore');
    expect(stored!.operations).toHaveLength(19);
    expect(stored!.operations.find((o) => o.operationId === 'addPet')).toEqual(
      parsed.operations.find((o) => o.operationId === 'addPet'),
    );
    expect(stored!.securitySchemes).toEqual(parsed.securitySchemes);
    expect(await getOperation(db, ws, result.specId, 'getPetById')).toMatchObject({ path: '/pet/{petId}' });
    expect(await readRawSpec(db, ws, result.specId)).toBe(await readFile(petstoreFile, 'utf8'));
    expect(await loadSpec(db, '00000000-0000-4000-8000-000000000999', 'petstore')).toBeUndefined();
  });

  it('replaces a spec and its operations in one transaction: a failed import leaves the old one intact', async () => {
    const parsed = await parseSpec(await readFile(petstoreFile, 'utf8'));
    const first = parsed.operations[0]!;
    const broken = { ...parsed, operations: [first, { ...first }] }; // same operationId twice
    const err = await rejectionOf(saveSpec(db, ws, { name: 'Petstore', slug: 'petstore', spec: broken }));
    expect(err.message).toMatch(/duplicate key/);
    expect((await loadSpec(db, ws, 'petstore'))!.operations).toHaveLength(19);

    await saveSpec(db, ws, { name: 'Petstore', slug: 'petstore', spec: { ...parsed, operations: [first] } });
    expect((await loadSpec(db, ws, 'petstore'))!.operations.map((o) => o.operationId)).toEqual([first.operationId]);
    expect(await deleteSpec(db, ws, 'petstore')).toBe(true);
    expect(await listSpecs(db, ws)).toEqual([]);
    const { count } = await db
      .selectFrom('api_operations')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(0);
  });

  it('caches a URL import by ETag: a second import and a refresh send If-None-Match and get 304', async () => {
    let body = await readFile(petstoreFile, 'utf8');
    let etag = '"v1"';
    const upstream = await startLocalServer((req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/yaml', etag }).end(body);
    });
    try {
      const url = `${upstream.origin}/openapi.yaml`;
      const first = await importSpec(db, ws, { url }, { fetch });
      expect(first).toMatchObject({ slug: 'swagger-petstore-openapi-3-0', operations: 19, notModified: false });
      const [row] = await listSpecs(db, ws);
      expect(row).toMatchObject({ sourceUrl: url, etag: '"v1"' });

      const again = await importSpec(db, ws, { url }, { fetch });
      expect(again).toMatchObject({ specId: first.specId, operations: 19, notModified: true });
      expect(upstream.requests.map((r) => [r.headers['if-none-match'] ?? null, r.url])).toEqual([
        [null, '/openapi.yaml'],
        ['"v1"', '/openapi.yaml'],
      ]);

      // The provider publishes a new version without the user endpoints.
      body = body.replace(/\n {2}\/user[\s\S]*?(?=\ncomponents:)/, '');
      etag = '"v2"';
      const refreshed = await refreshSpec(db, ws, first.slug, { fetch });
      expect(refreshed).toMatchObject({ specId: first.specId, notModified: false, operations: 12 });
      expect(upstream.requests[2]!.headers['if-none-match']).toBe('"v1"');
      expect((await listSpecs(db, ws))[0]).toMatchObject({ etag: '"v2"', operations: 12 });
      expect(await getOperation(db, ws, first.specId, 'createUser')).toBeUndefined();
      expect(await refreshSpec(db, ws, first.slug, { fetch })).toMatchObject({ notModified: true, operations: 12 });
    } finally {
      await upstream.close();
    }
  });

  it('says which spec is unknown, or why it cannot be refreshed', async () => {
    expect((await rejectionOf(refreshSpec(db, ws, 'nope'))).message).toBe(
      'nope: no such spec in this workspace; see `apiq openapi list`',
    );
    await importSpec(db, ws, { file: petstoreFile }, { slug: 'from-file' });
    expect((await rejectionOf(refreshSpec(db, ws, 'from-file'))).message).toBe(
      'from-file: was not imported from a URL, so it cannot be refreshed; import the file again',
    );
    expect((await rejectionOf(importSpec(db, ws, { file: '/no/such/spec.yaml' }))).message).toBe(
      '/no/such/spec.yaml: no such file',
    );
  });

  it("imports GitHub's full spec and finds operations by words", async () => {
    const text = await readFile(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8');
    const spec = await parseSpec(text, {
      sourceUrl:
        'https://raw.githubusercontent.com/github/rest-api-description/main/descriptions/api.github.com/api.github.com.json',
    });
    expect(spec.skipped).toEqual([]);
    expect(spec.operations.length).toBeGreaterThan(1000);
    const { specId } = await saveSpec(db, ws, { name: 'GitHub', slug: 'github', spec, raw: text });
    const [github] = (await listSpecs(db, ws)).filter((s) => s.slug === 'github');
    expect(github!.operations).toBe(spec.operations.length);

    const hits = await searchOperations(db, ws, 'create issue', 5);
    expect(hits[0]).toMatchObject({
      operationId: 'issues/create',
      method: 'POST',
      path: '/repos/{owner}/{repo}/issues',
      specSlug: 'github',
    });
    expect((await searchOperations(db, ws, 'list pull request reviews', 3)).map((h) => h.operationId)).toContain(
      'pulls/list-reviews',
    );
    expect((await searchOperations(db, ws, 'repos/get', 1))[0]?.operationId).toBe('repos/get');
    expect(await searchOperations(db, ws, 'zzqx unknownword', 5)).toEqual([]);
    expect(
      await searchOperations(db, ws, 'create issue', 5, { specId: '00000000-0000-4000-8000-000000000999' }),
    ).toEqual([]);
    expect((await searchOperations(db, ws, 'create issue', 5, { specId }))[0]?.operationId).toBe('issues/create');
  });
});
