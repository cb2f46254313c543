import { describe, expect, it } from 'vitest';
import { addNote, moveElements, replaceNode } from './graph-edits.ts';
import {
  flowPositions,
  indexIssues,
  noteFlowId,
  noteIdOf,
  projectEdges,
  projectNodes,
  selectedElements,
  selectOnly,
  type StepFlowNode,
} from './projection.ts';
import { lookup, w2Graph } from './test-fixtures.ts';

describe('projection', () => {
  it('projects nodes with their type and edges with ports as handles', () => {
    const graph = w2Graph();
    const nodes = projectNodes([], graph, lookup);
    expect(nodes.map((n) => n.id)).toEqual(['hook', 'code', 'big', 'high', 'low']);
    const big = nodes[2] as StepFlowNode;
    expect(big.type).toBe('step');
    expect(big.data.nodeType?.outputs).toEqual(['true', 'false']);
    const edges = projectEdges([], graph);
    expect(edges[2]).toMatchObject({ source: 'big', sourceHandle: 'true', target: 'high', targetHandle: 'main' });
  });

  it('reuses unchanged flow objects and keeps selection and measured size on changed ones', () => {
    const graph = w2Graph();
    const first = projectNodes([], graph, lookup).map((n) =>
      n.id === 'code' ? { ...n, selected: true, measured: { width: 200, height: 60 } } : n,
    );
    const edited = replaceNode(graph, { ...graph.nodes[1]!, name: 'Sum' });
    const second = projectNodes(first, edited, lookup);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]).toMatchObject({ selected: true, measured: { width: 200, height: 60 } });
    expect((second[1] as StepFlowNode).data.node.name).toBe('Sum');
  });

  it('keeps the canvas position of an unchanged node and takes the graph position after a move', () => {
    const graph = w2Graph();
    const dragged = projectNodes([], graph, lookup).map((n) =>
      n.id === 'code' ? { ...n, position: { x: 999, y: 9 } } : n,
    );
    expect(projectNodes(dragged, graph, lookup)[1]?.position).toEqual({ x: 999, y: 9 });
    const moved = moveElements(graph, new Map([['code', { x: 5, y: 6 }]]));
    expect(projectNodes(dragged, moved, lookup)[1]?.position).toEqual({ x: 5, y: 6 });
  });

  it('decorates nodes with run state, issues and pins, re-creating only those that changed', () => {
    const graph = w2Graph();
    const first = projectNodes([], graph, lookup);
    const second = projectNodes(first, graph, lookup, {
      statuses: { code: { status: 'succeeded', items: 2, durationMs: 5 } },
      issues: [{ code: 'invalid_param', message: 'code is required', path: 'nodes[1].params.code' }],
      pinnedIds: new Set(['hook']),
    });
    expect(second[2]).toBe(first[2]);
    expect((second[1] as StepFlowNode).data).toMatchObject({
      run: { status: 'succeeded', items: 2 },
      issues: [{ message: 'code is required' }],
    });
    expect((second[0] as StepFlowNode).data.pinned).toBe(true);
    const third = projectNodes(second, graph, lookup, {
      statuses: { code: { status: 'succeeded', items: 2, durationMs: 5 } },
      issues: [{ code: 'invalid_param', message: 'code is required', path: 'nodes[1].params.code' }],
      pinnedIds: new Set(['hook']),
    });
    expect(third).toEqual(second);
    expect(third[1]).toBe(second[1]);
  });

  it('projects sticky notes behind the nodes', () => {
    const graph = addNote(w2Graph(), { x: 10, y: 400 }, 'hello').graph;
    const nodes = projectNodes([], graph, lookup);
    const note = nodes.at(-1)!;
    expect(note).toMatchObject({ id: noteFlowId('note_1'), type: 'note', zIndex: -1, width: 240, height: 140 });
    expect(noteIdOf(note.id)).toBe('note_1');
    expect(noteIdOf('code')).toBeUndefined();
  });

  it('reads positions and selection back from the canvas', () => {
    const graph = addNote(w2Graph(), { x: 10, y: 400 }).graph;
    const nodes = selectOnly(projectNodes([], graph, lookup), new Set(['big', noteFlowId('note_1')]));
    const edges = projectEdges([], graph).map((e, i) => (i === 0 ? { ...e, selected: true } : e));
    expect(selectedElements(nodes, edges)).toEqual({
      nodeIds: ['big'],
      noteIds: ['note_1'],
      edgeKeys: ['hook.main->code.main'],
    });
    const { steps, notes } = flowPositions(nodes);
    expect(steps.get('high')).toEqual({ x: 780, y: -80 });
    expect(notes.get('note_1')).toEqual({ x: 10, y: 400 });
  });

  it('places issues on nodes and edges by id or path', () => {
    const index = indexIssues(w2Graph(), [
      { code: 'cycle', message: 'cycle', path: 'edges[1]' },
      { code: 'x', message: 'by id', path: 'nodes', nodeId: 'low' },
      { code: 'y', message: 'by path', path: 'nodes[2].params.condition' },
      { code: 'missing_trigger', message: 'general', path: 'nodes' },
    ]);
    expect([...index.byEdge.keys()]).toEqual(['code.main->big.main']);
    expect([...index.byNode.keys()]).toEqual(['low', 'big']);
    expect(index.general.map((i) => i.message)).toEqual(['general']);
  });

  it('lights an edge that carried data and marks an invalid one', () => {
    const graph = w2Graph();
    const edges = projectEdges([], graph, {
      statuses: { hook: { status: 'succeeded' }, code: { status: 'running' } },
      issues: [{ code: 'cycle', message: 'bad', path: 'edges[3]' }],
    });
    expect(edges[0]).toMatchObject({ class: 'ran', animated: true });
    expect(edges[3]?.class).toBe('invalid');
    const skipped = projectEdges([], graph, { statuses: { big: { status: 'succeeded' }, low: { status: 'skipped' } } });
    expect(skipped[3]?.class).toBe('');
    expect(edges[3]?.ariaLabel).toMatch(/: bad$/);
  });
});
