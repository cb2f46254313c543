import { describe, expect, it } from 'vitest';
import { layoutGraph, needsLayout } from './auto-layout.ts';
import { w2Graph } from './test-fixtures.ts';

describe('layoutGraph', () => {
  it('lays nodes out left to right along the edges', () => {
    const p = layoutGraph(w2Graph());
    const x = (id: string) => p.get(id)!.x;
    expect(x('hook')).toBeLessThan(x('code'));
    expect(x('code')).toBeLessThan(x('big'));
    expect(x('big')).toBeLessThan(x('high'));
    expect(x('high')).toBe(x('low'));
    expect(p.get('high')!.y).not.toBe(p.get('low')!.y);
  });

  it('keeps nodes of one rank from overlapping, using measured sizes', () => {
    const p = layoutGraph(w2Graph(), (id) => (id === 'high' ? { width: 300, height: 120 } : undefined));
    const high = { ...p.get('high')!, height: 120 };
    const low = { ...p.get('low')!, height: 64 };
    const [top, bottom] = high.y < low.y ? [high, low] : [low, high];
    expect(bottom.y).toBeGreaterThanOrEqual(top.y + top.height);
  });

  it('tells when a graph has nodes without positions', () => {
    const graph = w2Graph();
    expect(needsLayout(graph)).toBe(false);
    const { position: _p, ...rest } = graph.nodes[0]!;
    expect(needsLayout({ ...graph, nodes: [rest, ...graph.nodes.slice(1)] })).toBe(true);
  });
});
