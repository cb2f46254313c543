import { readFile } from 'node:fs/promises';
import { compileErrors, validate } from '@readme/openapi-parser';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { createTestDatabase, testServers } from '@apiq/db/testing';
import { rejectionOf } from '@apiq/sdk/testing';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { operationNodeParams } from './node-params.ts';
import { parseSpec } from './parse-spec.ts';
import { installReadyConnection, readyConnections } from './ready-connections.ts';
import { listSpecs, loadSpec } from './store/read-specs.ts';

describe('ready connections', () => {
  it.each(readyConnections.map((c) => [c.id, c] as const))(
    '%s ships a spec that is valid against the official OpenAPI / Swagger schemas and imports completely',
    async (_id, ready) => {
      const text = await readFile(ready.specFile, 'utf8');
      const result = await validate(parse(text) as never);
      expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
      const spec = await parseSpec(text);
      expect(spec.skipped).toEqual([]);
      expect(spec.servers[0]!.url).toBe(ready.defaultServer);
      if (ready.authKind) expect(spec.securitySchemes.map((s) => s.kind)).toContain(ready.authKind);
    },
  );

  it('installs into a workspace on demand, under the connection id', async () => {
    const test = await createTestDatabase(testServers()[0]!.url);
    try {
      const results = [];
      for (const c of readyConnections) results.push(await installReadyConnection(test.db, DEFAULT_WORKSPACE_ID, c.id));
      expect(results.map((r) => [r.slug, r.operations, r.skipped.length])).toEqual([
        ['jsonplaceholder', 18, 0],
        ['httpbin', 19, 0],
        ['petstore', 19, 0],
      ]);
      expect((await listSpecs(test.db, DEFAULT_WORKSPACE_ID)).map((s) => s.name)).toEqual([
        'HTTPBin',
        'JSONPlaceholder',
        'Swagger Petstore',
      ]);
      const jsonplaceholder = (await loadSpec(test.db, DEFAULT_WORKSPACE_ID, 'jsonplaceholder'))!;
      expect(operationNodeParams(jsonplaceholder, 'getPost')).toMatchObject({
        operation: {
          specId: jsonplaceholder.id,
          method: 'GET',
          path: '/posts/{id}',
          serverUrl: 'https://jsonplaceholder.typicode.com',
          auth: { required: false, options: [] },
        },
        args: {},
      });
      expect((await rejectionOf(installReadyConnection(test.db, DEFAULT_WORKSPACE_ID, 'stripe'))).message).toBe(
        'stripe: is not a ready connection; choose one of jsonplaceholder, httpbin, petstore',
      );
    } finally {
      await test.drop();
    }
  });
});
