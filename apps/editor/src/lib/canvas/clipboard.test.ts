import { describe, expect, it } from 'vitest';
import { copyFragment, parseFragment, pasteFragment, serializeFragment } from './clipboard.ts';
import { addNote } from './graph-edits.ts';
import { w2Graph } from './test-fixtures.ts';

describe('clipboard fragments', () => {
  it('copies the selected nodes with only the edges between them', () => {
    const fragment = copyFragment(w2Graph(), ['code', 'big', 'high']);
    expect(fragment.nodes.map((n) => n.id)).toEqual(['code', 'big', 'high']);
    expect(fragment.edges).toEqual([
      { source: 'code', sourcePort: 'main', target: 'big', targetPort: 'main' },
      { source: 'big', sourcePort: 'true', target: 'high', targetPort: 'main' },
    ]);
  });

  it('round-trips through text and pastes with fresh ids, offset, rewiring its own edges', () => {
    const graph = w2Graph();
    const text = serializeFragment(copyFragment(graph, ['code', 'big']));
    const parsed = parseFragment(text);
    if (!parsed.ok) throw new Error(parsed.error);
    const { graph: next, nodeIds } = pasteFragment(graph, parsed.fragment, { offset: { x: 40, y: 40 } });
    expect(nodeIds).toEqual(['code_2', 'big_2']);
    expect(next.nodes.find((n) => n.id === 'code_2')?.position).toEqual({ x: 300, y: 40 });
    expect(next.edges.at(-1)).toEqual({ source: 'code_2', sourcePort: 'main', target: 'big_2', targetPort: 'main' });
    expect(next.edges).toHaveLength(graph.edges.length + 1);
  });

  it('pastes into another workflow at a point, keeping ids that are free there', () => {
    const fragment = copyFragment(w2Graph(), ['code', 'big']);
    const other = { ...w2Graph(), nodes: [w2Graph().nodes[0]!], edges: [] };
    const { graph, nodeIds } = pasteFragment(other, fragment, { at: { x: 1000, y: 500 } });
    expect(nodeIds).toEqual(['code', 'big']);
    expect(graph.nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 1000, y: 500 },
      { x: 1260, y: 500 },
    ]);
  });

  it('rewrites $steps references between pasted nodes only', () => {
    const graph = w2Graph();
    graph.nodes[2] = {
      ...graph.nodes[2]!,
      params: { condition: { kind: 'expr', src: '$steps.code.total > 100 and $steps.hook.ok' } },
    };
    const { graph: next } = pasteFragment(graph, copyFragment(graph, ['code', 'big']), { offset: { x: 0, y: 0 } });
    expect(next.nodes.find((n) => n.id === 'big_2')?.params).toEqual({
      condition: { kind: 'expr', src: '$steps.code_2.total > 100 and $steps.hook.ok' },
    });
  });

  it('copies and pastes sticky notes', () => {
    const graph = addNote(w2Graph(), { x: 0, y: 300 }, 'remember').graph;
    const fragment = copyFragment(graph, [], ['note_1']);
    const { graph: next, noteIds } = pasteFragment(graph, fragment, { offset: { x: 20, y: 20 } });
    expect(noteIds).toEqual(['note_2']);
    expect(next.notes?.[1]).toMatchObject({ text: 'remember', position: { x: 20, y: 320 } });
  });

  it('accepts a whole workflow graph as clipboard text', () => {
    const parsed = parseFragment(JSON.stringify(w2Graph()));
    expect(parsed.ok && parsed.fragment.nodes).toHaveLength(5);
  });

  it('explains what is wrong with text that is not nodes', () => {
    expect(parseFragment('hello')).toEqual({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseFragment('{"a":1}')).toEqual({ ok: false, error: expect.stringContaining('no "nodes" list') });
    expect(parseFragment('{"nodes":[{"id":1}]}')).toEqual({
      ok: false,
      error: 'Cannot paste: nodes[0] needs a string "id" and "type".',
    });
    expect(parseFragment('{"nodes":[]}')).toEqual({ ok: false, error: 'The clipboard holds no nodes to paste.' });
  });
});
