import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { compileWorkflow, DEFAULT_STEP_POLICY } from './compile.ts';
import { GraphValidationError } from './issues.ts';
import { WorkflowGraphSchema } from './schema.ts';
import type { WorkflowGraph } from './schema.ts';
import type { WorkflowIR } from './ir.ts';
import { fixtureCatalog } from './testing/fixture-catalog.ts';

// Golden files: `UPDATE_GOLDEN=1 npx vitest run packages/graph/src/compile.test.ts` rewrites them.
const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixtureNames = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.graph.json'))
  .map((f) => f.slice(0, -'.graph.json'.length))
  .sort();

function loadGraph(name: string): WorkflowGraph {
  return WorkflowGraphSchema.parse(JSON.parse(readFileSync(`${fixturesDir}${name}.graph.json`, 'utf8')));
}

function serialize(ir: WorkflowIR): string {
  return `${JSON.stringify(ir, null, 2)}\n`;
}

describe('compileWorkflow golden files', () => {
  it('has the expected fixtures', () => {
    expect(fixtureNames).toEqual([
      'error-port',
      'for-each',
      'if-merge',
      'linear-chain',
      'nested-for-each',
      'switch',
      'wait-respond',
    ]);
  });

  for (const name of fixtureNames) {
    it(`compiles ${name} to its golden IR`, () => {
      const actual = serialize(compileWorkflow(loadGraph(name), fixtureCatalog));
      const goldenPath = `${fixturesDir}${name}.ir.json`;
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, actual);
      expect(existsSync(goldenPath), `${name}.ir.json is missing: run with UPDATE_GOLDEN=1 to create it`).toBe(true);
      expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
      // Same graph, same bytes.
      expect(serialize(compileWorkflow(loadGraph(name), fixtureCatalog))).toBe(actual);
    });
  }
});

describe('compileWorkflow', () => {
  it('orders steps topologically, breaking ties by node position', () => {
    const ir = compileWorkflow(loadGraph('if-merge'), fixtureCatalog);
    // flag_big comes before flag_small in the node array, although its edge is listed later.
    expect(ir.order).toEqual(['hook', 'big_order', 'flag_big', 'flag_small', 'join', 'reply']);
    expect(ir.steps.join?.inputs).toEqual([
      { port: 'b', from: 'flag_small', fromPort: 'main' },
      { port: 'a', from: 'flag_big', fromPort: 'main' },
    ]);
    expect(ir.steps.big_order?.outputs).toEqual({ true: ['flag_big'], false: ['flag_small'] });
    expect(ir.trigger).toBe('hook');
    expect(ir.triggerKind).toBe('webhook');
    expect(ir.steps.reply?.construct).toBe('respond');
  });

  it('lays out nested loops: inner for-each and aggregate belong to the outer body', () => {
    const ir = compileWorkflow(loadGraph('nested-for-each'), fixtureCatalog);
    expect(ir.order).toEqual(['start', 'each_team', 'teams_done', 'report']);
    expect(ir.loops).toEqual({
      each_team: {
        id: 'each_team',
        body: ['team_info', 'each_member', 'members_done', 'team_summary'],
        aggregate: 'teams_done',
        collect: ['team_summary'],
      },
      each_member: { id: 'each_member', body: ['notify'], aggregate: 'members_done', collect: ['notify'] },
    });
    expect(ir.steps.notify?.loop).toBe('each_member');
    expect(ir.steps.each_member?.loop).toBe('each_team');
    expect(ir.steps.members_done?.loop).toBe('each_team');
    expect(ir.steps.each_team?.loop).toBeUndefined();
    expect(ir.steps.teams_done?.loop).toBeUndefined();
    expect(ir.steps.each_team?.construct).toBe('for_each');
    expect(ir.steps.teams_done?.construct).toBe('aggregate');
  });

  it('keeps body steps that do not feed the aggregate in the body but not in collect', () => {
    const ir = compileWorkflow(loadGraph('for-each'), fixtureCatalog);
    expect(ir.loops.each_user).toEqual({
      id: 'each_user',
      body: ['fetch_user', 'shape', 'audit'],
      aggregate: 'collect',
      collect: ['shape'],
    });
    expect(ir.order).toEqual(['start', 'each_user', 'collect', 'summary']);
  });

  it('resolves policy defaults and keeps compensation handlers out of the order', () => {
    const ir = compileWorkflow(loadGraph('error-port'), fixtureCatalog);
    expect(ir.steps.start?.policy).toEqual(DEFAULT_STEP_POLICY);
    expect(ir.steps.charge?.policy).toEqual({
      retry: { maxAttempts: 4, backoffMs: 500, maxBackoffMs: 8000 },
      timeoutMs: 15000,
      continueOnError: true,
    });
    expect(ir.steps.reserve?.policy.compensate).toBe('release');
    expect(ir.steps.charge?.outputs).toEqual({ main: ['ok'], error: ['failed'] });
    expect(ir.order).not.toContain('release');
    expect(ir.steps.release?.inputs).toEqual([]);
    expect(ir.settings).toEqual({ errorWorkflowId: 'wf_alerts', compensateOnFailure: true });
  });

  it('keeps disabled nodes, marked, in place', () => {
    const ir = compileWorkflow(loadGraph('wait-respond'), fixtureCatalog);
    expect(ir.order).toEqual(['hook', 'ack', 'pause', 'debug', 'apply']);
    expect(ir.steps.debug?.disabled).toBe(true);
    expect(ir.steps.apply?.disabled).toBe(false);
    expect(ir.steps.pause?.construct).toBe('wait');
    expect(ir.steps.hook?.construct).toBe('trigger');
  });

  it('strips layout and notes, and does not share params with the graph', () => {
    const graph = loadGraph('linear-chain');
    const ir = compileWorkflow(graph, fixtureCatalog);
    const text = JSON.stringify(ir);
    expect(text).not.toContain('position');
    expect(text).not.toContain('description');
    expect(ir.steps.payload?.params).toEqual(graph.nodes[1]?.params);
    expect(ir.steps.payload?.params).not.toBe(graph.nodes[1]?.params);
    expect(ir.steps.post?.sideEffects).toBe(true);
    expect(ir.steps.payload?.sideEffects).toBe(false);
  });

  it('throws GraphValidationError carrying every issue', () => {
    const graph = loadGraph('linear-chain');
    graph.edges.push({ source: 'done', sourcePort: 'main', target: 'payload', targetPort: 'main' });
    graph.nodes.push({ id: 'stray', type: 'core.no_op', version: 1, params: {} });
    let caught: unknown;
    try {
      compileWorkflow(graph, fixtureCatalog);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GraphValidationError);
    const issues = (caught as GraphValidationError).issues;
    expect(issues.map((i) => i.code).sort()).toEqual(['cycle', 'unreachable_node']);
    expect((caught as GraphValidationError).message).toContain('workflow "Linear chain" is invalid (2 problems)');
  });
});
