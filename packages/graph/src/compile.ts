import type { NodeCatalog, NodeDefinition } from '@apiq/sdk';
import type { GraphNode, WorkflowGraph } from './schema.ts';
import type { IRInput, IRLoop, IRStep, ResolvedPolicy, WorkflowIR } from './ir.ts';
import { GraphValidationError } from './issues.ts';
import { AGGREGATE_TYPE, ERROR_PORT, FOR_EACH_TYPE, inspectWorkflow } from './validate.ts';

export const DEFAULT_STEP_POLICY: Readonly<ResolvedPolicy> = Object.freeze({
  retry: Object.freeze({ maxAttempts: 1, backoffMs: 1000, maxBackoffMs: 60_000 }),
  timeoutMs: 300_000,
  continueOnError: false,
});

const CONSTRUCTS: Readonly<Record<string, IRStep['construct']>> = {
  [FOR_EACH_TYPE]: 'for_each',
  [AGGREGATE_TYPE]: 'aggregate',
  'core.wait': 'wait',
  'core.respond_webhook': 'respond',
};

function constructOf(node: GraphNode, def: NodeDefinition): IRStep['construct'] {
  if (def.trigger) return 'trigger';
  return CONSTRUCTS[node.type] ?? 'step';
}

function resolvePolicy(node: GraphNode): ResolvedPolicy {
  const policy = node.policy ?? {};
  const retry = policy.retry;
  return {
    retry: {
      maxAttempts: retry?.maxAttempts ?? DEFAULT_STEP_POLICY.retry.maxAttempts,
      backoffMs: retry?.backoffMs ?? DEFAULT_STEP_POLICY.retry.backoffMs,
      maxBackoffMs: retry?.maxBackoffMs ?? DEFAULT_STEP_POLICY.retry.maxBackoffMs,
    },
    timeoutMs: policy.timeoutMs ?? DEFAULT_STEP_POLICY.timeoutMs,
    continueOnError: policy.continueOnError ?? DEFAULT_STEP_POLICY.continueOnError,
    ...(policy.compensate === undefined ? {} : { compensate: policy.compensate }),
  };
}

/**
 * Compiles a workflow graph into the IR the engine executes. Pure and deterministic: the same
 * graph always gives the same IR (byte-identical as JSON). Throws `GraphValidationError`
 * carrying every issue when the graph does not validate.
 *
 * Steps only reachable as compensation handlers (named by `policy.compensate`, not wired to
 * the flow) are in `steps` but in no `order` or loop body.
 *
 * @example
 * const ir = compileWorkflow(graph, catalog);
 * for (const id of ir.order) console.log(ir.steps[id]?.construct, id);
 */
export function compileWorkflow(graph: WorkflowGraph, catalog: NodeCatalog): WorkflowIR {
  const { issues, analysis } = inspectWorkflow(graph, catalog);
  if (analysis === undefined || issues.length > 0) {
    throw new GraphValidationError(issues, typeof graph?.name === 'string' ? graph.name : undefined);
  }
  const { graph: g, defs, triggerIndex, topoOrder, scopes, loopClosers } = analysis;

  const inputsOf = new Map<string, IRInput[]>();
  const outputsOf = new Map<string, Map<string, string[]>>();
  for (const edge of g.edges) {
    const inputs = inputsOf.get(edge.target) ?? [];
    inputs.push({ port: edge.targetPort, from: edge.source, fromPort: edge.sourcePort });
    inputsOf.set(edge.target, inputs);
    const ports = outputsOf.get(edge.source) ?? new Map<string, string[]>();
    const targets = ports.get(edge.sourcePort) ?? [];
    if (!targets.includes(edge.target)) targets.push(edge.target);
    ports.set(edge.sourcePort, targets);
    outputsOf.set(edge.source, ports);
  }

  const steps: Record<string, IRStep> = {};
  g.nodes.forEach((node, index) => {
    const def = defs[index] as NodeDefinition;
    const wired = outputsOf.get(node.id);
    const outputs: Record<string, string[]> = {};
    // Ports in the definition's order, then the error port: independent of edge order.
    for (const port of [...def.outputs, ERROR_PORT]) {
      const targets = wired?.get(port);
      if (targets) outputs[port] = targets;
    }
    const scope = scopes[index];
    const loop = scope?.[scope.length - 1];
    steps[node.id] = {
      id: node.id,
      ...(node.name === undefined ? {} : { name: node.name }),
      type: node.type,
      version: node.version,
      params: structuredClone(node.params),
      credentials: { ...(node.credentials ?? {}) },
      policy: resolvePolicy(node),
      inputs: inputsOf.get(node.id) ?? [],
      outputs,
      ...(loop === undefined ? {} : { loop }),
      sideEffects: def.sideEffects,
      construct: constructOf(node, def),
      disabled: node.disabled ?? false,
    };
  });

  const idAt = (i: number): string => (g.nodes[i] as GraphNode).id;
  const order = topoOrder.filter((i) => scopes[i]?.length === 0).map(idAt);
  const loops: Record<string, IRLoop> = {};
  for (const i of topoOrder) {
    const id = idAt(i);
    const aggregate = loopClosers.get(id);
    if (g.nodes[i]?.type !== FOR_EACH_TYPE || aggregate === undefined) continue;
    const body = topoOrder.filter((j) => scopes[j]?.[(scopes[j] as string[]).length - 1] === id).map(idAt);
    const collect = body.filter(
      (stepId) =>
        steps[stepId]?.outputs && Object.values((steps[stepId] as IRStep).outputs).some((t) => t.includes(aggregate)),
    );
    loops[id] = { id, body, aggregate, collect };
  }

  const trigger = steps[idAt(triggerIndex)] as IRStep;
  const settings = g.settings;
  return {
    ir: 1,
    name: g.name,
    trigger: trigger.id,
    triggerKind: (defs[triggerIndex] as NodeDefinition).trigger as string,
    order,
    steps,
    loops,
    settings: {
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
      ...(settings.errorWorkflowId === undefined ? {} : { errorWorkflowId: settings.errorWorkflowId }),
      compensateOnFailure: settings.compensateOnFailure ?? false,
    },
  };
}
