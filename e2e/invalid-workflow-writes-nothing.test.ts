import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { WorkflowInvalidError } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';

// Saving a bad workflow fails with errors that point at the node, edge or parameter at fault,
// and leaves the database untouched.
describe('saving an invalid workflow', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(server.url, { executor: false });
  });
  afterAll(async () => {
    await engine?.close();
  });

  const counts = async () => ({
    workflows: Number(
      (
        await engine.db
          .selectFrom('workflows')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    versions: Number(
      (
        await engine.db
          .selectFrom('workflow_versions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });
  const issuesOf = async (graph: unknown) => {
    const before = await counts();
    const err = await engine.save(graph).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowInvalidError);
    expect(await counts()).toEqual(before);
    return (err as WorkflowInvalidError).issues;
  };
  const start = { id: 'start', type: 'core.manual_trigger' };

  it('names the parameter that fails its schema', async () => {
    const issues = await issuesOf({
      name: 'bad params',
      nodes: [start, { id: 'call', type: 'core.http_request', params: { url: 42, method: 'FETCH' } }],
      edges: [{ source: 'start', target: 'call' }],
    });
    expect(issues.map((i) => [i.nodeId, i.path])).toEqual(
      expect.arrayContaining([
        ['call', 'nodes[1].params.url'],
        ['call', 'nodes[1].params.method'],
      ]),
    );
  });

  it('names the nodes on a cycle', async () => {
    const issues = await issuesOf({
      name: 'cycle',
      nodes: [start, { id: 'a', type: 'core.no_op' }, { id: 'b', type: 'core.no_op' }],
      edges: [
        { source: 'start', target: 'a' },
        { source: 'a', target: 'b' },
        { source: 'b', target: 'a' },
      ],
    });
    const cycle = issues.find((i) => i.code.includes('cycle'));
    expect(cycle?.message).toMatch(/"a"/);
    expect(cycle?.message).toMatch(/"b"/);
  });

  it('names dangling edges and unknown node types', async () => {
    const issues = await issuesOf({
      name: 'dangling',
      nodes: [start, { id: 'x', type: 'core.no_opp' }],
      edges: [
        { source: 'start', target: 'x' },
        { source: 'start', target: 'ghost' },
      ],
    });
    expect(issues.some((i) => i.path === 'edges[1].target' && /ghost/.test(i.message))).toBe(true);
    expect(issues.some((i) => i.nodeId === 'x' && /core\.no_op\b/.test(i.message))).toBe(true);
  });

  it('rejects something that is not a workflow at all', async () => {
    const issues = await issuesOf({ nodes: 'nope' });
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'nodes']));
  });
});
