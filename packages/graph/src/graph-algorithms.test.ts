import { describe, it, expect } from 'vitest';
import { cycleThrough, cyclicComponents, reachableFrom, stableTopologicalOrder } from './graph-algorithms.ts';
import { LruCache } from './lru-cache.ts';
import { closestMatches, editDistance } from './suggest.ts';

describe('stableTopologicalOrder', () => {
  it('breaks ties by the lowest node number', () => {
    // 0 → 3, 0 → 1, 3 → 2, 1 → 2
    expect(stableTopologicalOrder([[3, 1], [2], [], [2]])).toEqual([0, 1, 3, 2]);
  });

  it('returns null on a cycle and leaves skipped nodes out', () => {
    expect(stableTopologicalOrder([[1], [2], [1]])).toBeNull();
    expect(stableTopologicalOrder([[2], [], []], new Set([1]))).toEqual([0, 2]);
  });

  it('handles long chains without recursion', () => {
    const n = 50_000;
    const successors = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : []));
    expect(stableTopologicalOrder(successors)?.length).toBe(n);
    expect(cyclicComponents(successors)).toEqual([]);
  });
});

describe('cycles', () => {
  it('finds each cyclic component and a cycle through its first node', () => {
    // 0 → 1 → 2 → 1 ; 3 → 4 → 5 → 3 ; 5 → 6
    const successors = [[1], [2], [1], [4], [5], [3, 6], []];
    const components = cyclicComponents(successors);
    expect(components).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(cycleThrough(3, components[1] as number[], successors)).toEqual([3, 4, 5]);
  });

  it('reports reachable nodes', () => {
    expect([...reachableFrom(0, [[1], [], [0]])].sort()).toEqual([0, 1]);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
  });
});

describe('closestMatches', () => {
  const ids = ['core.http_request', 'core.if', 'core.set', 'core.switch', 'github.create_issue', 'slack.send_message'];

  it('suggests near misses and name matches', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestMatches('core.http_reqest', ids)).toEqual(['core.http_request']);
    expect(closestMatches('http.request', ids)).toEqual(['core.http_request']);
    expect(closestMatches('gitlab.create_issue', ids)).toEqual(['github.create_issue']);
    expect(closestMatches('slack.send', ids)).toEqual(['slack.send_message']);
    expect(closestMatches('foo.bar', ids)).toEqual([]);
  });
});
