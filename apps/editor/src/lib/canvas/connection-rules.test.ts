import { describe, expect, it } from 'vitest';
import { checkConnection, outputPortsOf } from './connection-rules.ts';
import { lookup, typeOf, w2Graph } from './test-fixtures.ts';

const attempt = (source: string, sourcePort: string, target: string, targetPort = 'main') => ({
  source,
  sourcePort,
  target,
  targetPort,
});

describe('checkConnection', () => {
  it('accepts an output wired to a free input', () => {
    const graph = w2Graph();
    graph.edges = graph.edges.filter((e) => e.target !== 'low');
    expect(checkConnection(graph, attempt('big', 'false', 'low'), lookup)).toEqual({ ok: true });
  });

  it('accepts the error port of a step', () => {
    expect(checkConnection(w2Graph(), attempt('code', 'error', 'low'), lookup)).toEqual({ ok: true });
    expect(outputPortsOf(typeOf('core.webhook_trigger'))).toEqual(['main']);
  });

  it('refuses an edge into a trigger, saying it has no input', () => {
    const check = checkConnection(w2Graph(), attempt('code', 'main', 'hook'), lookup);
    expect(check).toEqual({ ok: false, reason: expect.stringContaining('"hook" is a trigger') });
  });

  it('refuses a self-loop', () => {
    const check = checkConnection(w2Graph(), attempt('code', 'main', 'code'), lookup);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/cannot feed itself/);
  });

  it('refuses output to output', () => {
    const check = checkConnection(w2Graph(), attempt('code', 'main', 'big', 'true'), lookup);
    expect(!check.ok && check.reason).toMatch(/Two outputs cannot be connected/);
  });

  it('refuses an input used as a source', () => {
    const check = checkConnection(w2Graph(), attempt('high', 'nope', 'low'), lookup);
    expect(!check.ok && check.reason).toMatch(/has no output "nope"/);
  });

  it('refuses a duplicate edge', () => {
    const check = checkConnection(w2Graph(), attempt('hook', 'main', 'code'), lookup);
    expect(!check.ok && check.reason).toMatch(/already connected/);
  });

  it('refuses a cycle and names the nodes on it', () => {
    const check = checkConnection(w2Graph(), attempt('high', 'main', 'code'), lookup);
    expect(!check.ok && check.reason).toBe(
      'This would make a cycle ("code" → "big" → "high" → "code"). To repeat work, use For each with Aggregate instead of an edge going back.',
    );
  });

  it('uses node names in messages when set', () => {
    const graph = w2Graph();
    graph.nodes[0] = { ...graph.nodes[0]!, name: 'Incoming order' };
    const check = checkConnection(graph, attempt('code', 'main', 'hook'), lookup);
    expect(!check.ok && check.reason).toMatch(/^"Incoming order" is a trigger/);
  });
});
