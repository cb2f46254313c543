import { describe, expect, it } from 'vitest';
import { directParents, upstreamNodeIds } from './upstream.ts';

const graph = {
  nodes: ['trigger', 'fetch', 'check', 'notify', 'other', 'merge'].map((id) => ({ id })),
  edges: [
    { source: 'trigger', target: 'fetch' },
    { source: 'fetch', target: 'check' },
    { source: 'check', target: 'notify' },
    { source: 'trigger', target: 'other' },
    { source: 'notify', target: 'merge' },
    { source: 'other', target: 'merge' },
  ],
};

describe('upstreamNodeIds', () => {
  it('lists ancestors nearest first and nothing downstream or beside', () => {
    expect(upstreamNodeIds(graph, 'notify')).toEqual(['check', 'fetch', 'trigger']);
    expect(upstreamNodeIds(graph, 'merge')).toEqual(['notify', 'other', 'check', 'trigger', 'fetch']);
    expect(upstreamNodeIds(graph, 'trigger')).toEqual([]);
  });

  it('never lists the node itself, even in a cycle', () => {
    const cyclic = {
      nodes: [{ id: 'a' }, { id: 'b' }],
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'a' },
      ],
    };
    expect(upstreamNodeIds(cyclic, 'a')).toEqual(['b']);
  });

  it('finds the direct parents', () => {
    expect(directParents(graph, 'merge')).toEqual(['notify', 'other']);
  });
});
