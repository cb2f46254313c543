import { readFile } from 'node:fs/promises';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { installReadyConnection, loadSpec, operationNodeParams, readyConnections } from '@apiq/openapi';
import { startMockServer, type MockServer } from '@apiq/openapi/testing';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// An imported spec drives a real run: the Petstore spec is imported into the workflow's database,
// two api.operation nodes are built from it with operationNodeParams, and the engine runs them
// against a Prism mock generated from the same spec, which checks every request against the
// provider's contract.
describe('an imported OpenAPI operation runs in a workflow', () => {
  let engine: TestEngine;
  let mock: MockServer;
  let savedAllow: string | undefined;

  beforeAll(async () => {
    savedAllow = process.env.APIQ_HTTP_ALLOW;
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    engine = await startTestEngine(testServers()[0]!.url);
    const petstore = readyConnections.find((c) => c.id === 'petstore')!;
    mock = await startMockServer(await readFile(petstore.specFile, 'utf8'));
  });
  afterAll(async () => {
    await mock?.close();
    await engine?.close();
    if (savedAllow === undefined) delete process.env.APIQ_HTTP_ALLOW;
    else process.env.APIQ_HTTP_ALLOW = savedAllow;
  });

  async function orderWorkflow() {
    const imported = await installReadyConnection(engine.db, DEFAULT_WORKSPACE_ID, 'petstore');
    const spec = (await loadSpec(engine.db, DEFAULT_WORKSPACE_ID, imported.specId))!;
    const place = operationNodeParams(spec, 'placeOrder', mock.serverUrl);
    place.args = { body: { kind: 'expr', src: '$trigger.order' } };
    const fetchOrder = operationNodeParams(spec, 'getOrderById', mock.serverUrl);
    fetchOrder.args = { path: { orderId: { kind: 'expr', src: '$input.body.id' } } };
    return {
      specId: imported.specId,
      graph: {
        name: 'place and fetch an order',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          { id: 'place', type: 'api.operation', params: place },
          { id: 'fetch', type: 'api.operation', params: fetchOrder },
        ],
        edges: [
          { source: 'start', target: 'place' },
          { source: 'place', target: 'fetch' },
        ],
      },
    };
  }

  it('places and fetches an order; the mock finds both requests valid', async () => {
    const { graph, specId } = await orderWorkflow();
    expect(graph.nodes[1]!.params).toMatchObject({ operation: { specId, operationId: 'placeOrder', method: 'POST' } });
    const before = mock.requests.length;
    const order = { id: 7, petId: 10, quantity: 2, status: 'placed', complete: false };
    const run = await engine.run(graph, { order });

    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.byStep.place?.output).toMatchObject({ status: 200, body: { id: 10, petId: 198772 } });
    expect(run.byStep.fetch?.output).toMatchObject({ status: 200, body: { id: 10 } });
    const seen = mock.requests.slice(before);
    expect(seen.map((r) => [r.method, r.url, r.status, r.violations])).toEqual([
      ['POST', '/api/v3/store/order', 200, []],
      ['GET', '/api/v3/store/order/10', 200, []],
    ]);
    expect(JSON.parse(seen[0]!.body)).toEqual(order);
  });

  it('fails the step with the parameter named when the data breaks the schema, and sends nothing', async () => {
    const { graph } = await orderWorkflow();
    const before = mock.requests.length;
    const run = await engine.run(graph, { order: { id: 8, petId: 10, quantity: 'two', status: 'lost' } });

    expect(run.status).toBe('failed');
    expect(run.byStep.place?.status).toBe('failed');
    const message = JSON.stringify(run.byStep.place?.error);
    expect(message).toContain('args.body.quantity');
    expect(message).toContain('request body of placeOrder at quantity');
    expect(run.byStep.fetch).toBeUndefined();
    expect(mock.requests.length).toBe(before);
  });
});
