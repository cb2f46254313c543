import { describe, it, expect } from 'vitest';
import { appendOperationNode, snakeCase } from './add-operation-node.ts';
import type { OperationNodeParams } from './types.ts';

const params = {
  operation: {
    operationId: 'getPetById',
    method: 'GET',
    path: '/pet/{petId}',
    serverUrl: 'https://petstore.test/v3',
    summary: 'Find pet by ID',
    parameters: [],
    schemaDialect: 'openapi-3.0',
    auth: { required: true, options: [] },
  },
  args: {},
} as unknown as OperationNodeParams;
const args = { path: { petId: 10 }, query: {}, headers: {} };

describe('adding an API operation node to a workflow', () => {
  it('starts an empty workflow with a manual trigger wired to the new node', () => {
    const { graph, nodeId } = appendOperationNode({ name: 'Pets', nodes: [], edges: [] }, { params, args });
    expect(nodeId).toBe('get_pet_by_id');
    expect(graph.nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ['start', 'core.manual_trigger', { x: 0, y: 0 }],
      ['get_pet_by_id', 'api.operation', { x: 280, y: 0 }],
    ]);
    expect(graph.nodes[1]).toMatchObject({ name: 'Find pet by ID', params: { operation: params.operation, args } });
    expect(graph.edges).toEqual([{ source: 'start', sourcePort: 'main', target: 'get_pet_by_id', targetPort: 'main' }]);
  });

  it('goes to the right of the last node, wired from its first output port, with a unique id and the credentials', () => {
    const before = {
      name: 'Flow',
      settings: { timeoutMs: 1000 },
      nodes: [
        { id: 'start', type: 'core.manual_trigger', position: { x: 0, y: 40 } },
        { id: 'check', type: 'core.if', position: { x: 300, y: 40 } },
        { id: 'get_pet_by_id', type: 'api.operation', position: { x: 100, y: 200 } },
      ],
      edges: [
        { source: 'start', target: 'check' },
        { source: 'start', target: 'get_pet_by_id' },
      ],
    };
    const { graph, nodeId } = appendOperationNode(before, {
      params,
      args,
      credentials: { api_key_header: 'c1' },
      outputsOf: (type) => (type === 'core.if' ? ['true', 'false'] : ['main']),
    });
    expect(nodeId).toBe('get_pet_by_id_2');
    expect(graph.settings).toEqual({ timeoutMs: 1000 });
    expect(graph.nodes.at(-1)).toMatchObject({ position: { x: 580, y: 40 }, credentials: { api_key_header: 'c1' } });
    expect(graph.edges.at(-1)).toEqual({ source: 'check', sourcePort: 'true', target: nodeId, targetPort: 'main' });
    expect(before.nodes).toHaveLength(3);
  });

  it('makes node ids from operation ids', () => {
    expect(snakeCase('getPetById')).toBe('get_pet_by_id');
    expect(snakeCase('issues/create')).toBe('issues_create');
    expect(snakeCase('GET /pets/{id}')).toBe('get_pets_id');
    expect(snakeCase('2fa-verify')).toBe('op_2fa_verify');
  });
});
