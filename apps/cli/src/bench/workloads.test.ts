import { describe, expect, it } from 'vitest';
import { discoverNodes, findProjectRoot } from '@apiq/catalog';
import { validateWorkflow } from '@apiq/graph';
import { noOpChain, W2_CODE, WORKLOAD_IDS, WORKLOADS } from './workloads.ts';

const catalog = await discoverNodes(findProjectRoot());

describe('benchmark workflows', () => {
  it.each(WORKLOAD_IDS)('%s is a valid workflow on its own webhook path', (id) => {
    const graph = WORKLOADS[id].graph({ upstreamUrl: 'http://127.0.0.1:4567/' }) as {
      nodes: { params: { path?: string } }[];
    };
    const result = validateWorkflow(graph, catalog);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(graph.nodes[0]!.params.path).toBe(WORKLOADS[id].path);
  });

  it('sends W2 ten items whose total takes the high branch, and checks the low branch too', () => {
    const items = (WORKLOADS.w2.load.request as { items: { price: number }[] }).items;
    expect(items).toHaveLength(10);
    expect(items.reduce((s, i) => s + i.price, 0)).toBe(137.5);
    expect(WORKLOADS.w2.alsoCheck[0]!.response).toEqual({ tier: 'low', total: 55 });
    expect(W2_CODE).toContain('items.reduce');
  });

  it('builds a valid no-op chain of the requested length', () => {
    const chain = noOpChain(100);
    expect(chain.nodes).toHaveLength(101);
    expect(chain.edges).toHaveLength(100);
    expect(chain.edges[99]).toEqual({ source: 'n099', target: 'n100' });
    const result = validateWorkflow(chain, catalog);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
