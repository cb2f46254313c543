import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { validateWorkflow } from './validate.ts';
import type { ValidationIssue } from './issues.ts';
import { WORKFLOW_JSON_SCHEMA } from './json-schema.ts';
import { fixtureCatalog } from './testing/fixture-catalog.ts';
import { buildLargeGraph } from './testing/large-graph.ts';

type RawNode = { id: string; type: string; [key: string]: unknown };
type RawEdge = { source: string; target: string; [key: string]: unknown };

function graph(nodes: RawNode[], edges: RawEdge[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Test', nodes, edges, ...extra };
}

const trigger: RawNode = { id: 'start', type: 'core.manual_trigger' };
const noop = (id: string): RawNode => ({ id, type: 'core.no_op' });
const edge = (source: string, target: string, more: Record<string, unknown> = {}): RawEdge => ({
  source,
  target,
  ...more,
});

function errorsOf(input: unknown): ValidationIssue[] {
  const result = validateWorkflow(input, fixtureCatalog);
  if (result.ok) throw new Error('expected the graph to be invalid');
  return result.errors;
}

function only(input: unknown, code: string): ValidationIssue {
  const errors = errorsOf(input);
  expect(errors.map((e) => e.code)).toEqual([code]);
  return errors[0] as ValidationIssue;
}

describe('validateWorkflow accepts', () => {
  const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
  for (const file of readdirSync(fixturesDir).filter((f) => f.endsWith('.graph.json'))) {
    it(`the ${file} fixture`, () => {
      const result = validateWorkflow(JSON.parse(readFileSync(`${fixturesDir}${file}`, 'utf8')), fixtureCatalog);
      expect(result.ok ? [] : result.errors).toEqual([]);
    });
  }

  it('returns the graph with defaults applied', () => {
    const result = validateWorkflow(graph([trigger, noop('a')], [edge('start', 'a')]), fixtureCatalog);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.apiq).toBe(1);
    expect(result.graph.nodes[1]).toEqual({ id: 'a', type: 'core.no_op', version: 1, params: {} });
    expect(result.graph.edges[0]).toEqual({ source: 'start', sourcePort: 'main', target: 'a', targetPort: 'main' });
  });

  it('a 300-node graph with branches and loops', () => {
    const big = buildLargeGraph(30);
    expect(big.nodes.length).toBe(301);
    const result = validateWorkflow(big, fixtureCatalog);
    expect(result.ok ? [] : result.errors).toEqual([]);
    // A broken copy reports exactly the break, however big the graph.
    big.edges.push(edge('b29_done', 'b0_if'));
    const errors = errorsOf(big);
    expect(errors.map((e) => e.code)).toEqual(['cycle']);
    expect(errors[0]?.message).toContain('"b0_if" → "b0_yes" → "b0_merge"');
  });
});

describe('validateWorkflow shape errors', () => {
  it('reports every zod issue with its path and still checks the parts that parse', () => {
    const errors = errorsOf({
      nodes: [trigger, { id: '1bad', type: 'core.no_op' }, { id: 'x', type: 'core.nope' }],
      edges: [{ source: 'start' }, edge('start', 'x')],
      extra: true,
    });
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e]));
    expect(byPath['name']?.code).toBe('invalid_shape');
    expect(byPath['nodes[1].id']?.message).toContain('node id must start with a letter');
    expect(byPath['nodes[1].id']?.nodeId).toBe('1bad');
    expect(byPath['edges[0].target']?.code).toBe('invalid_shape');
    expect(errors.some((e) => e.code === 'invalid_shape' && e.message.includes('extra'))).toBe(true);
    expect(byPath['nodes[2].type']).toMatchObject({ code: 'unknown_node_type', nodeId: 'x' });
  });

  it('rejects a non-object', () => {
    expect(errorsOf('nope')[0]).toMatchObject({ code: 'invalid_shape', path: '' });
  });
});

describe('validateWorkflow node checks', () => {
  it('reports duplicate node ids at the second occurrence', () => {
    const issue = only(graph([trigger, noop('a'), noop('a')], [edge('start', 'a')]), 'duplicate_node_id');
    expect(issue).toMatchObject({ path: 'nodes[2].id', nodeId: 'a' });
    expect(issue.message).toBe('node id "a" is used by nodes[1] and nodes[2]: give each node its own id');
  });

  it('names unknown types and suggests the closest installed ones', () => {
    const issue = only(
      graph([trigger, { id: 'fetch', type: 'core.http_reqest' }], [edge('start', 'fetch')]),
      'unknown_node_type',
    );
    expect(issue).toMatchObject({ path: 'nodes[1].type', nodeId: 'fetch' });
    expect(issue.message).toBe('node "fetch": unknown node type "core.http_reqest"; did you mean "core.http_request"?');
    const far = only(graph([trigger, { id: 'x', type: 'foo.bar' }], [edge('start', 'x')]), 'unknown_node_type');
    expect(far.message).toContain('unknown node type "foo.bar"; install the package that provides it');
  });

  it('names unknown versions and lists the installed ones', () => {
    const issue = only(
      graph([trigger, { id: 'a', type: 'core.no_op', version: 3 }], [edge('start', 'a')]),
      'unknown_node_version',
    );
    expect(issue).toMatchObject({ path: 'nodes[1].version', nodeId: 'a' });
    expect(issue.message).toBe('node "a": node type "core.no_op" has no version 3 installed (installed: 1)');
  });

  it('checks params against the node schema and names the param', () => {
    const errors = errorsOf(
      graph(
        [
          trigger,
          { id: 'fetch', type: 'core.http_request', params: { method: 'FETCH', url: 'not a url', headers: { a: 1 } } },
        ],
        [edge('start', 'fetch')],
      ),
    );
    expect(errors.map((e) => [e.code, e.path, e.param])).toEqual([
      ['invalid_param', 'nodes[1].params.method', 'method'],
      ['invalid_param', 'nodes[1].params.url', 'url'],
      ['invalid_param', 'nodes[1].params.headers.a', 'headers.a'],
    ]);
    expect(errors[1]?.message).toMatch(/^node "fetch": param "url": /);
    expect(errors.every((e) => e.nodeId === 'fetch')).toBe(true);
  });

  it('reports missing required params', () => {
    const issue = only(
      graph([trigger, { id: 'fetch', type: 'core.http_request' }], [edge('start', 'fetch')]),
      'invalid_param',
    );
    expect(issue).toMatchObject({ path: 'nodes[1].params.url', param: 'url', nodeId: 'fetch' });
  });

  it('ignores schema issues at or below an expression', () => {
    const result = validateWorkflow(
      graph(
        [
          trigger,
          {
            id: 'fetch',
            type: 'core.http_request',
            params: {
              method: { kind: 'expr', src: '$input.method' },
              url: { kind: 'expr', src: '$input.url' },
              headers: { kind: 'expr', src: '$input.headers' },
            },
          },
          {
            id: 'fetch2',
            type: 'core.http_request',
            params: {
              url: 'https://example.com',
              headers: { auth: { kind: 'expr', src: '"Bearer " & $input.token' } },
            },
          },
        ],
        [edge('start', 'fetch'), edge('fetch', 'fetch2')],
      ),
      fixtureCatalog,
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('reports expressions that do not parse, with the param path and position', () => {
    const issue = only(
      graph(
        [
          trigger,
          {
            id: 'shape',
            type: 'core.set',
            params: { values: { total: { kind: 'expr', src: '$sum($input.items.price' } } },
          },
        ],
        [edge('start', 'shape')],
      ),
      'invalid_expression',
    );
    expect(issue).toMatchObject({ path: 'nodes[1].params.values.total', param: 'values.total', nodeId: 'shape' });
    expect(issue.message).toBe(
      'node "shape": param "values.total": expression does not parse: Expected ")" before end of expression (at position 23)',
    );
  });

  it('reports malformed expression objects', () => {
    const errors = errorsOf(
      graph(
        [
          trigger,
          {
            id: 'shape',
            type: 'core.set',
            params: { values: { a: { kind: 'expr', src: '' }, b: { kind: 'expr', source: 'x' } } },
          },
        ],
        [edge('start', 'shape')],
      ),
    );
    expect(errors.map((e) => [e.code, e.path])).toEqual([
      ['invalid_expression', 'nodes[1].params.values.a'],
      ['invalid_expression', 'nodes[1].params.values.b'],
    ]);
    expect(errors[0]?.message).toContain('expression is empty');
  });

  it('checks literal conditions on core.if and core.switch, not expression ones', () => {
    const errors = errorsOf(
      graph(
        [
          trigger,
          { id: 'check', type: 'core.if', params: { condition: { or: [{ var: 'a' }, { foo: [1] }] } } },
          { id: 'check2', type: 'core.if', params: { condition: { kind: 'expr', src: '$input.ok' } } },
          {
            id: 'route',
            type: 'core.switch',
            params: { cases: [{ '==': [1, 1] }, { condition: { bar: [] } }, { kind: 'expr', src: 'true' }, 'yes'] },
          },
        ],
        [
          edge('start', 'check'),
          edge('check', 'check2', { sourcePort: 'true' }),
          edge('check2', 'route', { sourcePort: 'false' }),
        ],
      ),
    );
    expect(errors.map((e) => [e.code, e.path, e.nodeId])).toEqual([
      ['invalid_condition', 'nodes[1].params.condition', 'check'],
      ['invalid_condition', 'nodes[3].params.cases[1].condition', 'route'],
      ['invalid_condition', 'nodes[3].params.cases[3]', 'route'],
    ]);
    expect(errors[0]?.message).toBe(
      'node "check": param "condition": invalid condition: unknown operator "foo" at or[1]',
    );
    expect(errors[1]?.message).toContain('unknown operator "bar"');
  });
});

describe('validateWorkflow edge checks', () => {
  it('reports dangling edges by field', () => {
    const errors = errorsOf(
      graph([trigger, noop('a')], [edge('start', 'a'), edge('ghost', 'a', { id: 'e2' }), edge('a', 'nowhere')]),
    );
    expect(errors.map((e) => [e.code, e.path, e.edgeId])).toEqual([
      ['unknown_edge_source', 'edges[1].source', 'e2'],
      ['unknown_edge_target', 'edges[2].target', undefined],
    ]);
    expect(errors[0]?.message).toBe('edge edges[1] ("ghost".main → "a".main): source node "ghost" does not exist');
  });

  it('reports unknown ports and lists the valid ones', () => {
    const errors = errorsOf(
      graph(
        [trigger, { id: 'check', type: 'core.if', params: { condition: true } }, { id: 'join', type: 'core.merge' }],
        [
          edge('start', 'check'),
          edge('check', 'join', { sourcePort: 'yes', targetPort: 'a' }),
          edge('check', 'join', { sourcePort: 'false', targetPort: 'e' }),
        ],
      ),
    );
    expect(errors.map((e) => [e.code, e.path])).toEqual([
      ['unknown_source_port', 'edges[1].sourcePort'],
      ['unknown_target_port', 'edges[2].targetPort'],
    ]);
    expect(errors[0]?.message).toContain(
      'core.if has no output port "yes" (its output ports: "true", "false", "error")',
    );
    expect(errors[1]?.message).toContain('core.merge has no input port "e" (its input ports: "a", "b", "c", "d")');
  });

  it('allows the error port on steps but not on triggers', () => {
    const ok = validateWorkflow(
      graph([trigger, noop('a'), noop('b')], [edge('start', 'a'), edge('a', 'b', { sourcePort: 'error' })]),
      fixtureCatalog,
    );
    expect(ok.ok ? [] : ok.errors).toEqual([]);
    const issue = only(
      graph([trigger, noop('a')], [edge('start', 'a', { sourcePort: 'error' })]),
      'unknown_source_port',
    );
    expect(issue.message).toContain('(its output ports: "main")');
  });

  it('reports edges into a trigger, self-loops and duplicate edges', () => {
    const errors = errorsOf(
      graph(
        [trigger, noop('a'), noop('b')],
        [
          edge('start', 'a'),
          edge('a', 'start'),
          edge('a', 'a', { id: 'loop' }),
          edge('a', 'b'),
          edge('a', 'b', { id: 'again' }),
        ],
      ),
    );
    expect(errors.map((e) => [e.code, e.path, e.edgeId])).toEqual([
      ['edge_into_trigger', 'edges[1].target', undefined],
      ['self_loop', 'edges[2]', 'loop'],
      ['duplicate_edge', 'edges[4]', 'again'],
    ]);
    expect(errors[2]?.message).toBe('edge edges[4] ("a".main → "b".main) duplicates edges[3]: remove one of them');
  });
});

describe('validateWorkflow structure checks', () => {
  it('requires a trigger', () => {
    const issue = only(graph([noop('a')], []), 'missing_trigger');
    expect(issue.path).toBe('nodes');
    expect(issue.message).toContain('"core.manual_trigger"');
  });

  it('rejects two triggers and names both', () => {
    const issue = only(
      graph(
        [trigger, { id: 'hook', type: 'core.webhook_trigger' }, noop('a')],
        [edge('start', 'a'), edge('hook', 'a', { targetPort: 'main' })],
      ),
      'multiple_triggers',
    );
    expect(issue).toMatchObject({ path: 'nodes[1]', nodeId: 'hook' });
    expect(issue.message).toContain('2 trigger nodes ("start", "hook")');
  });

  it('names the nodes on a cycle and the edge closing it', () => {
    const issue = only(
      graph(
        [trigger, noop('a'), noop('b'), noop('c')],
        [edge('start', 'a'), edge('a', 'b'), edge('b', 'c'), edge('c', 'a', { id: 'back' })],
      ),
      'cycle',
    );
    expect(issue).toMatchObject({ path: 'edges[3]', edgeId: 'back', nodeId: 'a' });
    expect(issue.message).toBe(
      'nodes "a" → "b" → "c" → "a" form a cycle: repeat work with core.for_each and core.aggregate instead of an edge going back',
    );
  });

  it('names unreachable nodes', () => {
    const errors = errorsOf(
      graph([trigger, noop('a'), noop('island'), noop('island2')], [edge('start', 'a'), edge('island', 'island2')]),
    );
    expect(errors.map((e) => [e.code, e.path, e.nodeId])).toEqual([
      ['unreachable_node', 'nodes[2]', 'island'],
      ['unreachable_node', 'nodes[3]', 'island2'],
    ]);
    expect(errors[0]?.message).toBe(
      'node "island" is not reachable from the trigger "start": connect it to the flow or remove it',
    );
  });

  it('accepts an unwired compensation step and rejects bad compensate targets', () => {
    const ok = validateWorkflow(
      graph(
        [trigger, { id: 'a', type: 'core.no_op', policy: { compensate: 'undo' } }, noop('undo')],
        [edge('start', 'a')],
      ),
      fixtureCatalog,
    );
    expect(ok.ok ? [] : ok.errors).toEqual([]);
    const errors = errorsOf(
      graph(
        [
          trigger,
          { id: 'a', type: 'core.no_op', policy: { compensate: 'ghost' } },
          { id: 'b', type: 'core.no_op', policy: { compensate: 'start' } },
        ],
        [edge('start', 'a'), edge('a', 'b')],
      ),
    );
    expect(errors.map((e) => [e.code, e.path, e.nodeId])).toEqual([
      ['invalid_compensate', 'nodes[1].policy.compensate', 'a'],
      ['invalid_compensate', 'nodes[2].policy.compensate', 'b'],
    ]);
    expect(errors[0]?.message).toBe('node "a": compensation step "ghost" is not a node of this workflow');
  });

  it('collects all issues of a graph at once', () => {
    const errors = errorsOf(
      graph(
        [
          trigger,
          { id: 'fetch', type: 'core.http_request', params: { url: 'nope' } },
          { id: 'x', type: 'core.unknown' },
          noop('island'),
        ],
        [edge('start', 'fetch'), edge('fetch', 'ghost'), edge('fetch', 'x'), edge('fetch', 'x')],
      ),
    );
    expect(errors.map((e) => e.code).sort()).toEqual([
      'duplicate_edge',
      'invalid_param',
      'unknown_edge_target',
      'unknown_node_type',
      'unreachable_node',
    ]);
  });
});

describe('validateWorkflow for-each structure', () => {
  const each: RawNode = { id: 'each', type: 'core.for_each', params: { items: [1, 2] } };
  const agg: RawNode = { id: 'agg', type: 'core.aggregate' };

  it('requires the item port to be wired', () => {
    const issue = only(
      graph([trigger, each, noop('after')], [edge('start', 'each'), edge('each', 'after', { sourcePort: 'error' })]),
      'for_each_item_unwired',
    );
    expect(issue).toMatchObject({ path: 'nodes[1]', nodeId: 'each' });
  });

  it('requires an aggregate closing the loop', () => {
    const issue = only(
      graph([trigger, each, noop('body')], [edge('start', 'each'), edge('each', 'body', { sourcePort: 'item' })]),
      'for_each_not_closed',
    );
    expect(issue.message).toBe('for-each "each" is never closed: wire the end of its body into a core.aggregate');
  });

  it('rejects a loop closed by two aggregates', () => {
    const issue = only(
      graph(
        [trigger, each, noop('body'), agg, { id: 'agg2', type: 'core.aggregate' }],
        [
          edge('start', 'each'),
          edge('each', 'body', { sourcePort: 'item' }),
          edge('body', 'agg'),
          edge('body', 'agg2'),
        ],
      ),
      'for_each_closed_twice',
    );
    expect(issue).toMatchObject({ path: 'nodes[4]', nodeId: 'agg2' });
    expect(issue.message).toContain('closed by 2 aggregates ("agg", "agg2")');
  });

  it('rejects an aggregate without a for-each', () => {
    const issue = only(
      graph([trigger, noop('a'), agg], [edge('start', 'a'), edge('a', 'agg')]),
      'aggregate_without_for_each',
    );
    expect(issue).toMatchObject({ path: 'nodes[2]', nodeId: 'agg' });
  });

  it('rejects entering a loop body from outside', () => {
    const issue = only(
      graph(
        [trigger, noop('side'), each, noop('body'), agg],
        [
          edge('start', 'side'),
          edge('start', 'each'),
          edge('each', 'body', { sourcePort: 'item' }),
          edge('side', 'body', { id: 'sneak' }),
          edge('body', 'agg'),
        ],
      ),
      'loop_body_entered_from_outside',
    );
    expect(issue).toMatchObject({ path: 'edges[3]', edgeId: 'sneak', nodeId: 'body' });
    expect(issue.message).toContain(
      'node "body" is reached inside for-each "each" (edges[2] from "each") and from outside that loop (edges[3] from "side")',
    );
  });

  it('rejects leaving a loop body without its aggregate', () => {
    const issue = only(
      graph(
        [trigger, each, noop('body'), agg, { id: 'join', type: 'core.merge' }],
        [
          edge('start', 'each'),
          edge('each', 'body', { sourcePort: 'item' }),
          edge('body', 'agg'),
          edge('agg', 'join', { targetPort: 'a' }),
          edge('body', 'join', { targetPort: 'b' }),
        ],
      ),
      'loop_body_entered_from_outside',
    );
    expect(issue.nodeId).toBe('join');
    expect(issue.message).toContain('left only through its core.aggregate');
  });

  it('accepts a for-each wired straight into its aggregate and nested loops sharing nothing', () => {
    const result = validateWorkflow(
      graph(
        [
          trigger,
          each,
          agg,
          { id: 'each2', type: 'core.for_each', params: { items: [] } },
          noop('inner'),
          { id: 'agg2', type: 'core.aggregate' },
        ],
        [
          edge('start', 'each'),
          edge('each', 'agg', { sourcePort: 'item' }),
          edge('agg', 'each2'),
          edge('each2', 'inner', { sourcePort: 'item' }),
          edge('inner', 'agg2'),
        ],
      ),
      fixtureCatalog,
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});

describe('WORKFLOW_JSON_SCHEMA', () => {
  it('describes the graph file', () => {
    const schema = WORKFLOW_JSON_SCHEMA as { type: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'nodes']));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['nodes', 'edges', 'settings']));
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
