import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rejectionOf } from '@apiq/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from './parse-spec.ts';
import { SpecError } from './spec-error.ts';

const specFile = (name: string) => readFile(fileURLToPath(new URL(`../specs/${name}`, import.meta.url)), 'utf8');
const failure = (work: Promise<unknown>) => rejectionOf<SpecError>(work);

const minimal = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  openapi: '3.0.3',
  info: { title: 'Test', version: '1' },
  servers: [{ url: 'https://api.test/v1' }],
  paths,
  ...extra,
});

describe('parseSpec on OpenAPI 3.0 (the shipped Petstore, YAML)', () => {
  it('imports every operation with typed parameters, body, security and servers', async () => {
    const spec = await parseSpec(await specFile('petstore.yaml'));
    expect(spec).toMatchObject({ title: 'Swagger Petstore - OpenAPI 3.0', specVersion: '3.0.3', skipped: [] });
    expect(spec.operations).toHaveLength(19);
    expect(spec.servers).toEqual([{ url: 'https://petstore3.swagger.io/api/v3' }]);

    const getPet = spec.operations.find((o) => o.operationId === 'getPetById')!;
    expect(getPet).toMatchObject({
      method: 'GET',
      path: '/pet/{petId}',
      summary: 'Find pet by ID',
      tags: ['pet'],
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } }],
      security: [{ api_key: [] }, { petstore_auth: ['write:pets', 'read:pets'] }],
      schemaDialect: 'openapi-3.0',
    });
    expect(getPet.responses.map((r) => r.status)).toEqual(['200', '400', '404']);
    expect(getPet.responses[0]).toMatchObject({ description: 'successful operation', contentType: 'application/json' });

    const addPet = spec.operations.find((o) => o.operationId === 'addPet')!;
    expect(addPet.requestBody).toMatchObject({
      contentType: 'application/json',
      contentTypes: ['application/json', 'application/xml', 'application/x-www-form-urlencoded'],
      required: true,
    });
    // $refs are inlined, and XML-only keywords dropped.
    const pet = addPet.requestBody!.schema as {
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(pet.required).toEqual(['name', 'photoUrls']);
    expect(pet.properties.category).toMatchObject({ type: 'object', properties: { name: { type: 'string' } } });
    expect(pet.properties.tags).toMatchObject({ type: 'array', items: { properties: { id: { type: 'integer' } } } });
    expect(JSON.stringify(pet)).not.toContain('xml');
    expect(JSON.stringify(pet)).not.toContain('$ref');

    expect(spec.securitySchemes).toEqual([
      {
        name: 'petstore_auth',
        type: 'oauth2',
        kind: 'http_bearer',
        preset: {},
        note: 'OAuth2 implicit flow is not supported; paste an access token as a bearer token instead',
      },
      { name: 'api_key', type: 'apiKey', kind: 'api_key_header', preset: { headerName: 'api_key' } },
    ]);
  });

  it('accepts the same spec as pasted JSON text and as an object', async () => {
    const { parse } = await import('yaml');
    const doc = parse(await specFile('petstore.yaml')) as object;
    const fromText = await parseSpec(JSON.stringify(doc, null, 2));
    const fromObject = await parseSpec(doc);
    expect(fromText.operations).toEqual(fromObject.operations);
    expect(fromText.operations).toHaveLength(19);
  });

  it('makes relative servers absolute against the URL the spec came from, with variable defaults', async () => {
    const spec = await parseSpec(
      minimal(
        {},
        {
          servers: [
            { url: '/v3' },
            {
              url: 'https://{region}.api.test/{version}',
              variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v2' } },
            },
          ],
        },
      ),
      { sourceUrl: 'https://petstore3.swagger.io/api/v3/openapi.json' },
    );
    expect(spec.servers.map((s) => s.url)).toEqual(['https://petstore3.swagger.io/v3', 'https://eu.api.test/v2']);
    expect(spec.servers[1]!.variables).toEqual({
      region: { default: 'eu', enum: ['eu', 'us'] },
      version: { default: 'v2' },
    });
  });
});

describe('parseSpec on OpenAPI 3.1', () => {
  it('keeps JSON Schema 2020-12 schemas and merges keywords next to a $ref', async () => {
    const spec = await parseSpec({
      openapi: '3.1.0',
      info: { title: 'Notes', version: '2' },
      servers: [{ url: 'https://notes.test' }],
      paths: {
        '/notes/{id}': {
          patch: {
            operationId: 'updateNote',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
            requestBody: {
              content: {
                'application/merge-patch+json': {
                  schema: { $ref: '#/components/schemas/Note', description: 'Fields to change' },
                },
              },
            },
            responses: { '200': { description: 'Updated' } },
          },
        },
      },
      components: {
        schemas: {
          Note: {
            type: 'object',
            properties: { title: { type: ['string', 'null'] }, tags: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    });
    const op = spec.operations[0]!;
    expect(op.schemaDialect).toBe('draft-2020-12');
    expect(op.requestBody).toMatchObject({
      contentType: 'application/merge-patch+json',
      schema: { type: 'object', description: 'Fields to change', properties: { title: { type: ['string', 'null'] } } },
    });
  });
});

describe('parseSpec on Swagger 2.0 (the shipped HTTPBin)', () => {
  it('converts host, basePath and schemes to servers, body params to a request body, securityDefinitions to kinds', async () => {
    const spec = await parseSpec(await specFile('httpbin.yaml'));
    expect(spec.specVersion).toBe('2.0');
    expect(spec.servers.map((s) => s.url)).toEqual(['https://httpbin.org', 'http://httpbin.org']);
    const post = spec.operations.find((o) => o.operationId === 'post')!;
    expect(post.requestBody).toEqual({
      contentType: 'application/json',
      contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
      required: false,
      schema: { type: 'object' },
    });
    expect(post.responses[0]).toEqual({
      status: '200',
      description: 'The request as received',
      contentType: 'application/json',
    });
    const basic = spec.operations.find((o) => o.operationId === 'basicAuth')!;
    expect(basic.parameters.map((p) => [p.name, p.in, p.schema])).toEqual([
      ['user', 'path', { type: 'string' }],
      ['passwd', 'path', { type: 'string' }],
    ]);
    expect(spec.securitySchemes.map((s) => [s.name, s.kind, s.preset])).toEqual([
      ['basicAuth', 'http_basic', {}],
      ['bearerAuth', 'api_key_header', { headerName: 'Authorization' }],
    ]);
  });

  it('turns formData into a form body and collectionFormat into OpenAPI styles', async () => {
    const spec = await parseSpec(
      {
        swagger: '2.0',
        info: { title: 'Files', version: '1' },
        basePath: '/api',
        paths: {
          '/upload': {
            post: {
              consumes: ['multipart/form-data'],
              parameters: [
                { name: 'file', in: 'formData', type: 'file', required: true },
                { name: 'note', in: 'formData', type: 'string' },
                { name: 'ids', in: 'query', type: 'array', items: { type: 'integer' }, collectionFormat: 'pipes' },
                { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'multi' },
                { name: 'X-Trace', in: 'header', type: 'array', items: { type: 'string' } },
              ],
              responses: { '201': { description: 'Stored', schema: { $ref: '#/definitions/Stored' } } },
            },
          },
        },
        definitions: { Stored: { type: 'object' } },
        securityDefinitions: {
          code: {
            type: 'oauth2',
            flow: 'accessCode',
            authorizationUrl: 'https://auth.test/a',
            tokenUrl: 'https://auth.test/t',
            scopes: { read: 'r', write: 'w' },
          },
          machine: { type: 'oauth2', flow: 'application', tokenUrl: 'https://auth.test/t', scopes: {} },
        },
      },
      { sourceUrl: 'http://files.test/swagger.json' },
    );
    expect(spec.servers).toEqual([{ url: 'http://files.test/api' }]);
    const op = spec.operations[0]!;
    expect(op.operationId).toBe('post_upload');
    expect(op.requestBody).toEqual({
      contentType: 'multipart/form-data',
      contentTypes: ['multipart/form-data'],
      required: true,
      schema: {
        type: 'object',
        properties: { file: { type: 'string', format: 'binary' }, note: { type: 'string' } },
        required: ['file'],
      },
    });
    expect(op.parameters.map((p) => [p.name, p.style, p.explode])).toEqual([
      ['ids', 'pipeDelimited', false],
      ['tags', 'form', true],
      ['X-Trace', 'simple', false],
    ]);
    expect(spec.securitySchemes.map((s) => [s.kind, s.preset])).toEqual([
      [
        'oauth2_authorization_code',
        { authorizeUrl: 'https://auth.test/a', tokenUrl: 'https://auth.test/t', scopes: 'read write' },
      ],
      ['oauth2_client_credentials', { tokenUrl: 'https://auth.test/t' }],
    ]);
  });
});

describe('parseSpec $refs', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apiq-openapi-'));
    await writeFile(
      join(dir, 'api.yaml'),
      [
        'openapi: 3.0.3',
        'info: { title: Split, version: "1" }',
        'servers: [{ url: "https://split.test" }]',
        'paths:',
        '  /orders:',
        '    post:',
        '      operationId: createOrder',
        '      parameters: [{ $ref: "./common/parameters.yaml#/Tenant" }]',
        '      requestBody:',
        '        content:',
        '          application/json:',
        '            schema: { $ref: "./schemas/order.yaml" }',
        '      responses: { "201": { description: Created } }',
      ].join('\n'),
    );
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'common'));
    await mkdir(join(dir, 'schemas'));
    await writeFile(
      join(dir, 'common/parameters.yaml'),
      'Tenant: { name: X-Tenant, in: header, required: true, schema: { type: string } }\n',
    );
    await writeFile(
      join(dir, 'schemas/order.yaml'),
      'type: object\nproperties:\n  lines: { type: array, items: { $ref: "./line.yaml" } }\n',
    );
    await writeFile(
      join(dir, 'schemas/line.yaml'),
      'type: object\nproperties: { sku: { type: string }, qty: { type: integer } }\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('resolves external relative file refs, relative to the file that holds them', async () => {
    const path = join(dir, 'api.yaml');
    const spec = await parseSpec(await readFile(path, 'utf8'), {
      sourceUrl: pathToFileURL(path).href,
      loadDocument: (uri) => readFile(fileURLToPath(uri), 'utf8'),
    });
    expect(spec.skipped).toEqual([]);
    expect(spec.operations[0]).toMatchObject({
      parameters: [{ name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } }],
      requestBody: {
        schema: {
          type: 'object',
          properties: {
            lines: { type: 'array', items: { properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } },
          },
        },
      },
    });
  });

  it('refuses file refs in pasted text, naming the ref', async () => {
    const err = await failure(parseSpec(await readFile(join(dir, 'api.yaml'), 'utf8')));
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toBe(
      'paths./orders.post.parameters[0]: $ref "./common/parameters.yaml#/Tenant" points to another file, which a pasted spec cannot reach; import the spec from its file or URL instead',
    );
  });

  it('keeps circular schemas finite: the repeated ref becomes {}', async () => {
    const spec = await parseSpec(
      minimal(
        {
          '/tree': {
            post: {
              operationId: 'saveTree',
              requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
              responses: { '200': { description: 'ok' } },
            },
          },
        },
        {
          components: {
            schemas: {
              Node: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
                  parent: { $ref: '#/components/schemas/Parent' },
                },
              },
              Parent: { type: 'object', properties: { node: { $ref: '#/components/schemas/Node' } } },
            },
          },
        },
      ),
    );
    const schema = spec.operations[0]!.requestBody!.schema as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.children).toEqual({ type: 'array', items: {} });
    expect(schema.properties.parent).toEqual({ type: 'object', properties: { node: {} } });
    expect(() => JSON.stringify(spec)).not.toThrow();
  });
});

describe('parseSpec errors and partial success', () => {
  it('names the line and column of a syntax error', async () => {
    const yamlErr = await failure(parseSpec('openapi: 3.0.3\ninfo:\n  title: [unclosed\n'));
    expect(yamlErr).toBeInstanceOf(SpecError);
    expect(yamlErr.message).toMatch(/^the spec line \d+, column \d+: is not valid YAML or JSON: /);
    const jsonErr = await failure(parseSpec('{\n  "openapi": "3.0.3",\n  "info": }', { name: 'pets.json' }));
    expect(jsonErr.message).toMatch(/^pets\.json line 3, column 11: is not valid JSON: /);
  });

  it('says what is wrong with documents that are not specs, or not a supported version', async () => {
    expect((await failure(parseSpec('{"name": "x"}'))).message).toBe(
      'the spec: has neither "openapi" nor "swagger"; it is not an OpenAPI or Swagger document',
    );
    expect((await failure(parseSpec({ openapi: '2.5', info: {}, paths: {} }))).message).toBe(
      'openapi: "2.5" is not supported; use OpenAPI 3.0.x, 3.1.x or Swagger 2.0',
    );
    expect((await failure(parseSpec({ openapi: '3.0.0', paths: {} }))).message).toBe(
      'info: is missing; a spec needs info.title and info.version',
    );
    expect(
      (await failure(parseSpec(minimal({}, { servers: [{ url: 'https://a.test' }, { description: 'no url' }] }))))
        .message,
    ).toBe('servers[1].url: is missing; every server needs a url such as "https://api.example.com"');
    expect((await failure(parseSpec(minimal([] as never)))).where).toBe('paths');
  });

  it('imports the good operations and lists the skipped ones with where and why', async () => {
    const ok = { responses: { '200': { description: 'ok' } } };
    const spec = await parseSpec(
      minimal({
        '/pets': { get: { operationId: 'listPets', ...ok } },
        '/pets/{id}': {
          get: { operationId: 'getPet', ...ok },
          delete: {
            operationId: 'deletePet',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
            ...ok,
          },
        },
        '/owners': {
          post: {
            operationId: 'createOwner',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } },
            ...ok,
          },
          get: { operationId: 'listPets', ...ok },
        },
        '/debug': { trace: { operationId: 'trace', ...ok } },
        '/search': {
          get: {
            operationId: 'search',
            parameters: [
              { name: 'q', in: 'query', schema: { type: 'string' } },
              { name: 'session', in: 'cookie', schema: { type: 'string' } },
              { name: 'where' },
            ],
            ...ok,
          },
        },
        '/login': {
          post: { operationId: 'login', parameters: [{ name: 'sid', in: 'cookie', required: true }], ...ok },
        },
        health: { get: ok },
      }),
    );
    expect(spec.operations.map((o) => o.operationId)).toEqual(['listPets', 'deletePet']);
    expect(spec.skipped).toEqual([
      {
        operation: 'GET /pets/{id}',
        where: 'paths./pets/{id}.get.parameters',
        reason: 'path parameter "id" of "/pets/{id}" is not declared',
      },
      {
        operation: 'GET /owners',
        where: 'paths./owners.get.operationId',
        reason: '"listPets" is already used by GET /pets; operationIds must be unique',
      },
      {
        operation: 'POST /owners',
        where: 'paths./owners.post.requestBody.content.application/json.schema',
        reason: '$ref "#/components/schemas/Missing" points to nothing (no "components" there)',
      },
      { operation: 'TRACE /debug', where: 'paths./debug.trace', reason: 'TRACE operations are not supported' },
      {
        operation: 'GET /search',
        where: 'paths./search.get.parameters[2].in',
        reason: 'is missing; use path, query, header or cookie',
      },
      {
        operation: 'POST /login',
        where: 'paths./login.post.parameters[0].in',
        reason: 'required cookie parameter "sid" is not supported',
      },
      { operation: 'health', where: 'paths.health', reason: 'path templates must start with "/"' },
    ]);
  });

  it('warns about ignored optional cookie parameters and undefined security schemes', async () => {
    const spec = await parseSpec(
      minimal({
        '/me': {
          get: {
            parameters: [{ name: 'theme', in: 'cookie', schema: { type: 'string' } }],
            security: [{ oauth: [] }],
            responses: { '200': { description: 'ok' } },
          },
        },
      }),
    );
    expect(spec.operations[0]).toMatchObject({ operationId: 'get_me', parameters: [] });
    expect(spec.warnings).toEqual([
      'GET /me: optional cookie parameter "theme" is ignored',
      'security scheme "oauth" is used but not defined',
    ]);
  });
});
