import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { operationNodeParams } from './node-params.ts';
import { parseSpec } from './parse-spec.ts';

const petstore = async () =>
  parseSpec(await readFile(fileURLToPath(new URL('../specs/petstore.yaml', import.meta.url)), 'utf8'));

describe('operationNodeParams', () => {
  it("builds the operation data with the spec's auth options", async () => {
    const spec = await petstore();
    const params = operationNodeParams({ ...spec, id: 'spec-1' }, 'getPetById');
    expect(params.operation).toMatchObject({
      specId: 'spec-1',
      operationId: 'getPetById',
      method: 'GET',
      path: '/pet/{petId}',
      serverUrl: 'https://petstore3.swagger.io/api/v3',
      summary: 'Find pet by ID',
      auth: {
        required: true,
        options: [
          { scheme: 'api_key', kind: 'api_key_header', headerName: 'api_key' },
          { scheme: 'petstore_auth', kind: 'http_bearer' },
        ],
      },
    });
    const staging = operationNodeParams(spec, 'getPetById', 'https://staging.petstore.test/v3/');
    expect(staging.operation.serverUrl).toBe('https://staging.petstore.test/v3');
    expect(operationNodeParams(spec, 'placeOrder').operation.auth).toEqual({ required: false, options: [] });
  });

  it('names an unknown operation and a spec without an absolute server', async () => {
    const spec = await petstore();
    expect(() => operationNodeParams(spec, 'getPet')).toThrow(
      'getPet: no such operation in the spec; did you mean getPetById?',
    );
    expect(() => operationNodeParams({ ...spec, servers: [{ url: '/v3' }] }, 'getPetById')).toThrow(
      'servers: the spec has no absolute http(s) server URL; pass one as serverUrl',
    );
  });
});
