import type { WorkflowGraph } from '@apiq/graph';
import type { NodeCatalog } from '@apiq/sdk';
import type { Proposal } from './proposal.ts';

export interface ExpectedWorkflow {
  prompt: string;
  trigger?: string;
  steps?: string[];
  order?: Array<[string, string]>;
  question?: true;
}

export interface CaseScore {
  prompt: string;
  valid: boolean;
  triggerRight: boolean;
  precision: number;
  recall: number;
  orderRight: boolean;
  /** Everything right: valid, trigger, exactly the expected steps, order. */
  pass: boolean;
  got: string;
  ms: number;
}

function multisetOverlap(a: string[], b: string[]): number {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  let hit = 0;
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) {
      hit++;
      counts.set(x, n - 1);
    }
  }
  return hit;
}

/** Whether some node of type `a` reaches some node of type `b` along edges. */
function reaches(graph: WorkflowGraph, a: string, b: string): boolean {
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const next = new Map<string, string[]>();
  for (const e of graph.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  for (const start of graph.nodes.filter((n) => n.type === a)) {
    const seen = new Set<string>();
    const stack = [...(next.get(start.id) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (typeOf.get(id) === b) return true;
      stack.push(...(next.get(id) ?? []));
    }
  }
  return false;
}

/** Scores one proposal against what the case expects. */
export function scoreCase(expected: ExpectedWorkflow, proposal: Proposal, catalog: NodeCatalog, ms: number): CaseScore {
  if (expected.question) {
    const asked = proposal.question !== undefined;
    return {
      prompt: expected.prompt,
      valid: asked,
      triggerRight: asked,
      precision: asked ? 1 : 0,
      recall: asked ? 1 : 0,
      orderRight: asked,
      pass: asked,
      got: asked ? `question: ${proposal.question}` : 'a graph instead of a question',
      ms,
    };
  }
  const graph = proposal.graph;
  if (!graph)
    return {
      prompt: expected.prompt,
      valid: false,
      triggerRight: false,
      precision: 0,
      recall: 0,
      orderRight: false,
      pass: false,
      got: `question: ${proposal.question ?? '(none)'}`,
      ms,
    };
  const trigger = graph.nodes.find((n) => catalog.get(n.type, n.version)?.trigger);
  const steps = graph.nodes.filter((n) => n !== trigger).map((n) => n.type);
  const want = expected.steps ?? [];
  const hit = multisetOverlap(steps, want);
  const precision = steps.length === 0 ? (want.length === 0 ? 1 : 0) : hit / steps.length;
  const recall = want.length === 0 ? 1 : hit / want.length;
  const orderRight = (expected.order ?? []).every(([a, b]) => reaches(graph, a, b));
  const valid = proposal.issues.length === 0;
  const triggerRight = trigger?.type === expected.trigger;
  return {
    prompt: expected.prompt,
    valid,
    triggerRight,
    precision,
    recall,
    orderRight,
    pass: valid && triggerRight && precision === 1 && recall === 1 && orderRight,
    got: `${trigger?.type ?? '(no trigger)'} → ${steps.join(', ')}${valid ? '' : ` [invalid: ${proposal.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}]`}`,
    ms,
  };
}

export interface EvaluationSummary {
  cases: number;
  passRate: number;
  validRate: number;
  triggerRate: number;
  precision: number;
  recall: number;
  orderRate: number;
  medianMs: number;
}

export function summarize(scores: CaseScore[]): EvaluationSummary {
  const n = Math.max(1, scores.length);
  const mean = (f: (s: CaseScore) => number) => scores.reduce((acc, s) => acc + f(s), 0) / n;
  const ms = scores.map((s) => s.ms).sort((a, b) => a - b);
  return {
    cases: scores.length,
    passRate: mean((s) => Number(s.pass)),
    validRate: mean((s) => Number(s.valid)),
    triggerRate: mean((s) => Number(s.triggerRight)),
    precision: mean((s) => s.precision),
    recall: mean((s) => s.recall),
    orderRate: mean((s) => Number(s.orderRight)),
    medianMs: ms[Math.floor(ms.length / 2)] ?? 0,
  };
}
