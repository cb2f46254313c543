import { describe, expect, it } from 'vitest';
import { normalizeGraph } from './normalize-graph.ts';
import { loadPinned, pinsForGraph, savePinned, type KeyValueStorage } from './pinned-store.ts';

describe('normalizeGraph', () => {
  it('fills the schema defaults of an API graph', () => {
    const graph = normalizeGraph({
      name: 'W',
      nodes: [{ id: 'a', type: 'core.code' }],
      edges: [{ source: 'a', target: 'b' }],
      notes: [{ id: 'n', text: 'x', position: { x: 0, y: 0 } }],
    });
    expect(graph).toEqual({
      apiq: 1,
      name: 'W',
      nodes: [{ id: 'a', type: 'core.code', version: 1, params: {} }],
      edges: [{ source: 'a', sourcePort: 'main', target: 'b', targetPort: 'main' }],
      settings: {},
      notes: [{ id: 'n', text: 'x', position: { x: 0, y: 0 } }],
    });
  });

  it('turns an empty draft into an empty graph with the fallback name', () => {
    expect(normalizeGraph({ apiq: 1, nodes: [], edges: [] }, 'New')).toEqual({
      apiq: 1,
      name: 'New',
      nodes: [],
      edges: [],
      settings: {},
    });
  });
});

describe('pinned store', () => {
  const memory = (): KeyValueStorage => {
    const m = new Map<string, string>();
    return {
      getItem: (k) => m.get(k) ?? null,
      setItem: (k, v) => void m.set(k, v),
      removeItem: (k) => void m.delete(k),
    };
  };

  it('keeps pins per workflow and forgets empty maps', () => {
    const s = memory();
    savePinned(s, 'w1', { code: [1, 2] });
    expect(loadPinned(s, 'w1')).toEqual({ code: [1, 2] });
    expect(loadPinned(s, 'w2')).toEqual({});
    savePinned(s, 'w1', {});
    expect(s.getItem('apiq:pinned:w1')).toBeNull();
  });

  it('reads broken storage as no pins and drops pins of deleted nodes', () => {
    const s = memory();
    s.setItem('apiq:pinned:w', '{oops');
    expect(loadPinned(s, 'w')).toEqual({});
    expect(pinsForGraph({ a: 1, gone: 2 }, ['a'])).toEqual({ a: 1 });
  });
});
