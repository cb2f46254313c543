import { describe, expect, it } from 'vitest';
import {
  addNode,
  addNote,
  connect,
  edgeKey,
  freshNodeId,
  freeSpot,
  isValidNodeId,
  moveElements,
  removeElements,
  replaceNode,
  setDisabled,
  updateNote,
} from './graph-edits.ts';
import { typeOf, w2Graph } from './test-fixtures.ts';

describe('graph edits', () => {
  it('gives new nodes readable, unique, valid ids', () => {
    expect(freshNodeId('core.code', new Set())).toBe('code');
    expect(freshNodeId('core.code', new Set(['code', 'code_2']))).toBe('code_3');
    expect(freshNodeId('x.9lives', new Set())).toBe('n_9lives');
    expect(isValidNodeId(freshNodeId('acme.send message!', new Set()))).toBe(true);
  });

  it('adds a node at a rounded position without touching other nodes', () => {
    const graph = w2Graph();
    const { graph: next, id } = addNode(graph, typeOf('core.code'), { x: 10.4, y: 20.6 });
    expect(id).toBe('code_2');
    expect(next.nodes.at(-1)).toEqual({ id, type: 'core.code', version: 1, params: {}, position: { x: 10, y: 21 } });
    expect(next.nodes[0]).toBe(graph.nodes[0]);
    expect(graph.nodes).toHaveLength(5);
  });

  it('removing a node removes its edges', () => {
    const next = removeElements(w2Graph(), { nodeIds: ['big'] });
    expect(next.nodes.map((n) => n.id)).toEqual(['hook', 'code', 'high', 'low']);
    expect(next.edges.map(edgeKey)).toEqual(['hook.main->code.main']);
  });

  it('removes edges by key and notes by id', () => {
    const withNote = addNote(w2Graph(), { x: 0, y: 200 }, 'hello').graph;
    const next = removeElements(withNote, { edgeKeys: ['big.true->high.main'], noteIds: ['note_1'] });
    expect(next.edges).toHaveLength(3);
    expect(next.notes).toEqual([]);
  });

  it('returns the same graph when nothing is removed or moved', () => {
    const graph = w2Graph();
    expect(removeElements(graph, {})).toBe(graph);
    expect(moveElements(graph, new Map([['hook', { x: 0, y: 0 }]]))).toBe(graph);
  });

  it('moves nodes and notes, keeping unmoved node objects', () => {
    const graph = addNote(w2Graph(), { x: 0, y: 0 }).graph;
    const next = moveElements(graph, new Map([['code', { x: 300.2, y: 9 }]]), new Map([['note_1', { x: 5, y: 5 }]]));
    expect(next.nodes[1]?.position).toEqual({ x: 300, y: 9 });
    expect(next.nodes[0]).toBe(graph.nodes[0]);
    expect(next.notes?.[0]?.position).toEqual({ x: 5, y: 5 });
  });

  it('connects, replaces and disables', () => {
    let graph = connect(w2Graph(), { source: 'code', sourcePort: 'error', target: 'low', targetPort: 'main' });
    expect(graph.edges.at(-1)).toEqual({ source: 'code', sourcePort: 'error', target: 'low', targetPort: 'main' });
    graph = replaceNode(graph, { ...graph.nodes[1]!, name: 'Sum' });
    expect(graph.nodes[1]?.name).toBe('Sum');
    graph = setDisabled(graph, ['code'], true);
    expect(graph.nodes[1]?.disabled).toBe(true);
    graph = setDisabled(graph, ['code'], false);
    expect('disabled' in graph.nodes[1]!).toBe(false);
  });

  it('adds and edits sticky notes', () => {
    const { graph, id } = addNote(w2Graph(), { x: 1, y: 2 }, 'todo');
    expect(id).toBe('note_1');
    const next = updateNote(graph, id, { text: 'done', size: { width: 300, height: 200 } });
    expect(next.notes?.[0]).toEqual({ id, text: 'done', position: { x: 1, y: 2 }, size: { width: 300, height: 200 } });
    expect(addNote(next, { x: 0, y: 0 }).id).toBe('note_2');
  });

  it('finds a free spot below nodes that would be covered', () => {
    const graph = w2Graph();
    expect(freeSpot(graph, { x: 0, y: 300 })).toEqual({ x: 0, y: 300 });
    const spot = freeSpot(graph, { x: 270, y: 10 });
    expect(spot.x).toBe(270);
    expect(spot.y).toBeGreaterThanOrEqual(64 + 24);
  });
});
