import { describe, expect, it } from 'vitest';
import { describeEdge, diffGraphs } from './graph-diff.ts';
import { addNode, connect, moveElements, removeElements, replaceNode } from './graph-edits.ts';
import { typeOf, w2Graph } from './test-fixtures.ts';

describe('diffGraphs', () => {
  it('finds nothing between equal graphs, even as separate objects', () => {
    const diff = diffGraphs(w2Graph(), w2Graph());
    expect(diff.same).toBe(true);
    expect(diff.changedNodes).toEqual([]);
  });

  it('lists added and removed nodes and edges', () => {
    const before = w2Graph();
    let after = removeElements(before, { nodeIds: ['low'] });
    after = addNode(after, typeOf('core.http_request'), { x: 0, y: 0 }).graph;
    after = connect(after, { source: 'big', sourcePort: 'false', target: 'http_request', targetPort: 'main' });
    const diff = diffGraphs(before, after);
    expect(diff.addedNodes.map((n) => n.id)).toEqual(['http_request']);
    expect(diff.removedNodes.map((n) => n.id)).toEqual(['low']);
    expect(diff.addedEdges.map(describeEdge)).toEqual(['big.false → http_request']);
    expect(diff.removedEdges.map(describeEdge)).toEqual(['big.false → low']);
    expect(diff.same).toBe(false);
  });

  it('names each changed param, down to nested fields, and treats an expression as one value', () => {
    const before = w2Graph();
    before.nodes[3] = { ...before.nodes[3]!, params: { status: 200, body: { tier: 'high', total: 1 } } };
    const after = replaceNode(before, {
      ...before.nodes[3]!,
      name: 'High tier',
      params: { status: 201, body: { tier: 'high', total: { kind: 'expr', src: '$input.total' } } },
    });
    const diff = diffGraphs(before, after);
    expect(diff.changedNodes).toEqual([
      {
        id: 'high',
        label: 'High tier',
        changes: [
          { path: 'params.status', before: 200, after: 201 },
          { path: 'params.body.total', before: 1, after: { kind: 'expr', src: '$input.total' } },
          { path: 'name', before: undefined, after: 'High tier' },
        ],
      },
    ]);
  });

  it('reports a position-only change as moved, not changed', () => {
    const before = w2Graph();
    const diff = diffGraphs(before, moveElements(before, new Map([['code', { x: 1, y: 1 }]])));
    expect(diff.changedNodes).toEqual([]);
    expect(diff.movedNodes).toEqual(['code']);
    expect(diff.same).toBe(false);
  });

  it('notices a renamed workflow and changed notes', () => {
    const before = w2Graph();
    const diff = diffGraphs(before, {
      ...before,
      name: 'Big orders',
      notes: [{ id: 'n', text: 'x', position: { x: 0, y: 0 } }],
    });
    expect(diff.nameChanged).toEqual({ before: 'Orders', after: 'Big orders' });
    expect(diff.notesChanged).toBe(true);
  });
});
