/**
 * A big, valid workflow graph for tests and measurements: a trigger followed by `blocks`
 * blocks of 10 nodes each (if → two branches → merge → for-each → two body steps →
 * aggregate → HTTP request → no-op), with conditions and expressions in the params.
 */
export function buildLargeGraph(blocks: number): {
  name: string;
  nodes: Array<Record<string, unknown>>;
  edges: Array<Record<string, unknown>>;
} {
  const nodes: Array<Record<string, unknown>> = [{ id: 'start', type: 'core.manual_trigger' }];
  const edges: Array<Record<string, unknown>> = [];
  const edge = (source: string, target: string, more: Record<string, unknown> = {}): void => {
    edges.push({ source, target, ...more });
  };
  let previous = 'start';
  for (let block = 0; block < blocks; block++) {
    const p = `b${block}_`;
    nodes.push(
      { id: `${p}if`, type: 'core.if', params: { condition: { '>': [{ var: 'n' }, block] } } },
      { id: `${p}yes`, type: 'core.set', params: { values: { v: { kind: 'expr', src: `$input.n + ${block}` } } } },
      { id: `${p}no`, type: 'core.no_op' },
      { id: `${p}merge`, type: 'core.merge' },
      { id: `${p}each`, type: 'core.for_each', params: { items: { kind: 'expr', src: '$input.items' } } },
      { id: `${p}body1`, type: 'core.code', params: { code: 'return item;' } },
      { id: `${p}body2`, type: 'core.set', params: { values: { i: { kind: 'expr', src: '$index' } } } },
      { id: `${p}agg`, type: 'core.aggregate' },
      { id: `${p}post`, type: 'core.http_request', params: { method: 'POST', url: 'https://api.example.com/x' } },
      { id: `${p}done`, type: 'core.no_op' },
    );
    edge(previous, `${p}if`);
    edge(`${p}if`, `${p}yes`, { sourcePort: 'true' });
    edge(`${p}if`, `${p}no`, { sourcePort: 'false' });
    edge(`${p}yes`, `${p}merge`, { targetPort: 'a' });
    edge(`${p}no`, `${p}merge`, { targetPort: 'b' });
    edge(`${p}merge`, `${p}each`);
    edge(`${p}each`, `${p}body1`, { sourcePort: 'item' });
    edge(`${p}body1`, `${p}body2`);
    edge(`${p}body2`, `${p}agg`);
    edge(`${p}agg`, `${p}post`);
    edge(`${p}post`, `${p}done`);
    previous = `${p}done`;
  }
  return { name: `Large graph (${nodes.length} nodes)`, nodes, edges };
}
