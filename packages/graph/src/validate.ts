import type { NodeCatalog, NodeDefinition } from '@apiq/sdk';
import { GraphEdgeSchema, GraphNodeSchema, WorkflowGraphSchema } from './schema.ts';
import type { GraphEdge, GraphNode, WorkflowGraph } from './schema.ts';
import { formatPath } from './issues.ts';
import type { ValidationIssue } from './issues.ts';
import { checkParamConditions, checkParamExpressions, checkParamsSchema } from './param-checks.ts';
import { closestMatches } from './suggest.ts';
import { cycleThrough, cyclicComponents, reachableFrom, stableTopologicalOrder } from './graph-algorithms.ts';

export const FOR_EACH_TYPE = 'core.for_each';
export const AGGREGATE_TYPE = 'core.aggregate';
export const FOR_EACH_ITEM_PORT = 'item';
export const ERROR_PORT = 'error';

/** What the validator learned about a valid graph; the compiler builds the IR from it. */
export interface WorkflowAnalysis {
  graph: WorkflowGraph;
  /** Node definitions by node index. */
  defs: NodeDefinition[];
  triggerIndex: number;
  /** All node indices in a stable topological order. */
  topoOrder: number[];
  /** Per node index: the stack of enclosing for-each ids (outermost first); undefined when not reached from the trigger. */
  scopes: Array<string[] | undefined>;
  /** For-each id → the id of the aggregate that closes it. */
  loopClosers: Map<string, string>;
}

export interface WorkflowInspection {
  issues: ValidationIssue[];
  /** Present when the graph has no issues. */
  analysis?: WorkflowAnalysis;
}

export type WorkflowValidation = { ok: true; graph: WorkflowGraph } | { ok: false; errors: ValidationIssue[] };

/**
 * Validates a workflow graph against its shape and the installed node types, collecting every
 * issue (shape, node types and params, expressions, conditions, edges and ports, trigger,
 * cycles, reachability, for-each structure, compensation). On success returns the graph
 * with schema defaults applied.
 *
 * @example
 * const result = validateWorkflow(JSON.parse(text), catalog);
 * if (!result.ok) for (const e of result.errors) console.error(`${e.path}: ${e.message}`);
 */
export function validateWorkflow(input: unknown, catalog: NodeCatalog): WorkflowValidation {
  const { issues, analysis } = inspectWorkflow(input, catalog);
  return analysis && issues.length === 0 ? { ok: true, graph: analysis.graph } : { ok: false, errors: issues };
}

function q(value: string): string {
  return JSON.stringify(value);
}

function list(values: readonly string[]): string {
  return values.map(q).join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface IndexedNode {
  index: number;
  node: GraphNode;
}

interface IndexedEdge {
  index: number;
  edge: GraphEdge;
}

/** The validator's core: every issue, plus the analysis the compiler needs when there are none. */
export function inspectWorkflow(input: unknown, catalog: NodeCatalog): WorkflowInspection {
  const issues: ValidationIssue[] = [];
  const parsed = WorkflowGraphSchema.safeParse(input);
  const nodes: IndexedNode[] = [];
  const edges: IndexedEdge[] = [];
  // Ids of nodes that exist but failed the shape check: edges to them are not "dangling".
  const brokenIds = new Set<string>();
  let partsComplete = true;

  if (parsed.success) {
    parsed.data.nodes.forEach((node, index) => nodes.push({ index, node }));
    parsed.data.edges.forEach((edge, index) => edges.push({ index, edge }));
  } else {
    const raw = isRecord(input) ? input : {};
    for (const issue of parsed.error.issues) issues.push(shapeIssue(issue.path, issue.message, raw));
    if (Array.isArray(raw.nodes)) {
      raw.nodes.forEach((rawNode: unknown, index) => {
        const node = GraphNodeSchema.safeParse(rawNode);
        if (node.success) nodes.push({ index, node: node.data });
        else {
          partsComplete = false;
          if (isRecord(rawNode) && typeof rawNode.id === 'string') brokenIds.add(rawNode.id);
        }
      });
    } else partsComplete = false;
    if (Array.isArray(raw.edges)) {
      raw.edges.forEach((rawEdge: unknown, index) => {
        const edge = GraphEdgeSchema.safeParse(rawEdge);
        if (edge.success) edges.push({ index, edge: edge.data });
        else partsComplete = false;
      });
    } else if (raw.edges !== undefined) partsComplete = false;
  }

  const nodeCount = isRecord(input) && Array.isArray(input.nodes) ? input.nodes.length : 0;
  const indexById = new Map<string, number>();
  const defs: Array<NodeDefinition | undefined> = new Array(nodeCount);
  const duplicates = new Set<number>();
  let catalogIds: string[] | undefined;

  for (const { index, node } of nodes) {
    const ref = { index, id: node.id };
    const first = indexById.get(node.id);
    if (first !== undefined) {
      duplicates.add(index);
      issues.push({
        code: 'duplicate_node_id',
        message: `node id ${q(node.id)} is used by nodes[${first}] and nodes[${index}]: give each node its own id`,
        path: `nodes[${index}].id`,
        nodeId: node.id,
      });
    } else {
      indexById.set(node.id, index);
    }

    const def = catalog.get(node.type, node.version);
    if (def === undefined) {
      const versions = catalog.versions(node.type);
      if (versions.length === 0) {
        catalogIds ??= catalog.list().map((e) => e.def.id);
        const near = closestMatches(node.type, catalogIds);
        const hint =
          near.length > 0
            ? `did you mean ${list(near)}?`
            : 'install the package that provides it, or pick an installed type';
        issues.push({
          code: 'unknown_node_type',
          message: `node ${q(node.id)}: unknown node type ${q(node.type)}; ${hint}`,
          path: `nodes[${index}].type`,
          nodeId: node.id,
        });
      } else {
        issues.push({
          code: 'unknown_node_version',
          message: `node ${q(node.id)}: node type ${q(node.type)} has no version ${node.version} installed (installed: ${versions.join(', ')})`,
          path: `nodes[${index}].version`,
          nodeId: node.id,
        });
      }
    } else {
      defs[index] = def;
      issues.push(...checkParamsSchema(node.params, def, ref));
      issues.push(...checkParamConditions(node, ref));
    }
    issues.push(...checkParamExpressions(node.params, ref));
  }

  const compensationTargets = new Set<number>();
  for (const { index, node } of nodes) {
    const target = node.policy?.compensate;
    if (target === undefined) continue;
    const targetIndex = indexById.get(target);
    const path = `nodes[${index}].policy.compensate`;
    if (targetIndex === undefined) {
      if (!brokenIds.has(target)) {
        issues.push({
          code: 'invalid_compensate',
          message: `node ${q(node.id)}: compensation step ${q(target)} is not a node of this workflow`,
          path,
          nodeId: node.id,
        });
      }
    } else if (defs[targetIndex]?.trigger) {
      issues.push({
        code: 'invalid_compensate',
        message: `node ${q(node.id)}: compensation step ${q(target)} is the trigger; name a regular step`,
        path,
        nodeId: node.id,
      });
    } else {
      compensationTargets.add(targetIndex);
    }
  }

  const structural = checkEdges(edges, indexById, defs, brokenIds, issues);

  if (!partsComplete) return { issues };
  const analysis = analyzeStructure(
    nodes,
    edges,
    structural,
    indexById,
    defs,
    duplicates,
    compensationTargets,
    catalog,
    issues,
  );
  if (!parsed.success || issues.length > 0 || analysis === undefined) return { issues };
  return { issues, analysis: { ...analysis, graph: parsed.data, defs: defs as NodeDefinition[] } };
}

function shapeIssue(segments: readonly PropertyKey[], message: string, raw: Record<string, unknown>): ValidationIssue {
  const path = formatPath(segments);
  const issue: ValidationIssue = {
    code: 'invalid_shape',
    message: path === '' ? message : `${path}: ${message}`,
    path,
  };
  const [collection, index] = segments;
  if (typeof index === 'number' && (collection === 'nodes' || collection === 'edges')) {
    const items = raw[collection];
    const item: unknown = Array.isArray(items) ? items[index] : undefined;
    if (isRecord(item) && typeof item.id === 'string') {
      if (collection === 'nodes') issue.nodeId = item.id;
      else issue.edgeId = item.id;
    }
  }
  return issue;
}

/** Checks every edge; returns the indices of those that take part in the structural checks. */
function checkEdges(
  edges: readonly IndexedEdge[],
  indexById: ReadonlyMap<string, number>,
  defs: ReadonlyArray<NodeDefinition | undefined>,
  brokenIds: ReadonlySet<string>,
  issues: ValidationIssue[],
): IndexedEdge[] {
  const structural: IndexedEdge[] = [];
  const seenKeys = new Map<string, number>();
  const seenIds = new Map<string, number>();
  for (const item of edges) {
    const { index, edge } = item;
    const label = `edge edges[${index}] (${q(edge.source)}.${edge.sourcePort} → ${q(edge.target)}.${edge.targetPort})`;
    const located = (code: string, field: string, message: string): ValidationIssue => ({
      code,
      message,
      path: field === '' ? `edges[${index}]` : `edges[${index}].${field}`,
      ...(edge.id === undefined ? {} : { edgeId: edge.id }),
    });
    let usable = true;

    if (edge.id !== undefined) {
      const first = seenIds.get(edge.id);
      if (first !== undefined)
        issues.push(
          located('duplicate_edge_id', 'id', `${label}: edge id ${q(edge.id)} is also used by edges[${first}]`),
        );
      else seenIds.set(edge.id, index);
    }

    const source = indexById.get(edge.source);
    const target = indexById.get(edge.target);
    if (source === undefined) {
      usable = false;
      if (!brokenIds.has(edge.source))
        issues.push(located('unknown_edge_source', 'source', `${label}: source node ${q(edge.source)} does not exist`));
    }
    if (target === undefined) {
      usable = false;
      if (!brokenIds.has(edge.target))
        issues.push(located('unknown_edge_target', 'target', `${label}: target node ${q(edge.target)} does not exist`));
    }

    if (edge.source === edge.target && source !== undefined) {
      usable = false;
      issues.push(
        located(
          'self_loop',
          '',
          `${label}: a node cannot feed itself; to repeat work, use core.for_each with core.aggregate`,
        ),
      );
    }

    const key = JSON.stringify([edge.source, edge.sourcePort, edge.target, edge.targetPort]);
    const firstSame = seenKeys.get(key);
    if (firstSame !== undefined) {
      usable = false;
      issues.push(located('duplicate_edge', '', `${label} duplicates edges[${firstSame}]: remove one of them`));
    } else {
      seenKeys.set(key, index);
    }

    const sourceDef = source === undefined ? undefined : defs[source];
    if (sourceDef) {
      const ports = sourceDef.trigger ? sourceDef.outputs : [...sourceDef.outputs, ERROR_PORT];
      if (!ports.includes(edge.sourcePort)) {
        issues.push(
          located(
            'unknown_source_port',
            'sourcePort',
            `${label}: ${sourceDef.id} has no output port ${q(edge.sourcePort)} (its output ports: ${list(ports)})`,
          ),
        );
      }
    }
    const targetDef = target === undefined ? undefined : defs[target];
    if (targetDef?.trigger) {
      usable = false;
      issues.push(
        located('edge_into_trigger', 'target', `${label}: ${q(edge.target)} is a trigger and cannot receive edges`),
      );
    } else if (targetDef && !targetDef.inputs.includes(edge.targetPort)) {
      const ports =
        targetDef.inputs.length > 0 ? `its input ports: ${list(targetDef.inputs)}` : 'it has no input ports';
      issues.push(
        located(
          'unknown_target_port',
          'targetPort',
          `${label}: ${targetDef.id} has no input port ${q(edge.targetPort)} (${ports})`,
        ),
      );
    }

    if (usable) structural.push(item);
  }
  return structural;
}

/** Trigger, cycles, reachability and for-each structure. */
function analyzeStructure(
  nodes: readonly IndexedNode[],
  edges: readonly IndexedEdge[],
  structural: readonly IndexedEdge[],
  indexById: ReadonlyMap<string, number>,
  defs: ReadonlyArray<NodeDefinition | undefined>,
  duplicates: ReadonlySet<number>,
  compensationTargets: ReadonlySet<number>,
  catalog: NodeCatalog,
  issues: ValidationIssue[],
): Omit<WorkflowAnalysis, 'graph' | 'defs'> | undefined {
  const count = nodes.length;
  const idOf = (i: number): string => (nodes[i] as IndexedNode).node.id;
  const typeOf = (i: number): string => (nodes[i] as IndexedNode).node.type;
  const successors: number[][] = Array.from({ length: count }, () => []);
  const incoming: IndexedEdge[][] = Array.from({ length: count }, () => []);
  for (const item of structural) {
    const s = indexById.get(item.edge.source) as number;
    const t = indexById.get(item.edge.target) as number;
    (successors[s] as number[]).push(t);
    (incoming[t] as IndexedEdge[]).push(item);
  }

  const triggers: number[] = [];
  for (let i = 0; i < count; i++) if (!duplicates.has(i) && defs[i]?.trigger) triggers.push(i);
  if (triggers.length === 0) {
    const kinds = [
      ...new Set(
        catalog
          .list()
          .filter((e) => e.def.trigger)
          .map((e) => e.def.id),
      ),
    ].slice(0, 5);
    const unknown = nodes.some(({ index }) => defs[index] === undefined)
      ? ' (nodes of unknown type are not counted)'
      : '';
    issues.push({
      code: 'missing_trigger',
      message: `the workflow has no trigger node${unknown}: add one${kinds.length ? ` such as ${list(kinds)}` : ''}`,
      path: 'nodes',
    });
  }
  for (const extra of triggers.slice(1)) {
    issues.push({
      code: 'multiple_triggers',
      message: `the workflow has ${triggers.length} trigger nodes (${list(triggers.map(idOf))}); keep exactly one and remove ${q(idOf(extra))} or split the workflow`,
      path: `nodes[${extra}]`,
      nodeId: idOf(extra),
    });
  }

  const components = cyclicComponents(successors);
  for (const component of components) {
    const start = component[0] as number;
    const cycle = cycleThrough(start, component, successors);
    const last = cycle[cycle.length - 1] as number;
    const closing = structural.find((e) => e.edge.source === idOf(last) && e.edge.target === idOf(start));
    const names = [...cycle, start].map((i) => q(idOf(i))).join(' → ');
    issues.push({
      code: 'cycle',
      message: `nodes ${names} form a cycle: repeat work with core.for_each and core.aggregate instead of an edge going back`,
      path: closing ? `edges[${closing.index}]` : `nodes[${start}]`,
      nodeId: idOf(start),
      ...(closing?.edge.id === undefined ? {} : { edgeId: closing.edge.id }),
    });
  }

  if (triggers.length !== 1) return undefined;
  const triggerIndex = triggers[0] as number;
  const reached = reachableFrom(triggerIndex, successors);
  for (let i = 0; i < count; i++) {
    if (reached.has(i) || duplicates.has(i) || compensationTargets.has(i)) continue;
    issues.push({
      code: 'unreachable_node',
      message: `node ${q(idOf(i))} is not reachable from the trigger ${q(idOf(triggerIndex))}: connect it to the flow or remove it`,
      path: `nodes[${i}]`,
      nodeId: idOf(i),
    });
  }

  if (components.length > 0) return undefined;
  const topoOrder = stableTopologicalOrder(successors, duplicates);
  if (topoOrder === null) return undefined;

  const scopes = computeLoopScopes(topoOrder, reached, triggerIndex, incoming, indexById, idOf, typeOf, issues);
  const loopClosers = checkLoops(edges, reached, scopes.closers, idOf, typeOf, count, duplicates, indexById, issues);
  return { triggerIndex, topoOrder, scopes: scopes.byNode, loopClosers };
}

/**
 * Which for-each bodies each node sits in. A for-each's `item` port opens a scope, an
 * aggregate closes the innermost one; every other edge carries its source's scope.
 * A node reached with two different scopes is entered from outside a loop body.
 */
function computeLoopScopes(
  topoOrder: readonly number[],
  reached: ReadonlySet<number>,
  triggerIndex: number,
  incoming: readonly (readonly IndexedEdge[])[],
  indexById: ReadonlyMap<string, number>,
  idOf: (i: number) => string,
  typeOf: (i: number) => string,
  issues: ValidationIssue[],
): { byNode: Array<string[] | undefined>; closers: Map<string, number[]> } {
  const byNode: Array<string[] | undefined> = new Array(incoming.length);
  const closers = new Map<string, number[]>();
  const describe = (scope: readonly string[]): string =>
    scope.length === 0 ? 'outside any loop' : `inside for-each ${q(scope[scope.length - 1] as string)}`;

  for (const v of topoOrder) {
    if (!reached.has(v)) continue;
    if (v === triggerIndex) {
      byNode[v] = [];
      continue;
    }
    const candidates: Array<{ scope: string[]; key: string; edge: IndexedEdge }> = [];
    for (const edge of incoming[v] as IndexedEdge[]) {
      const u = indexById.get(edge.edge.source) as number;
      const sourceScope = byNode[u];
      if (sourceScope === undefined) continue;
      const scope =
        typeOf(u) === FOR_EACH_TYPE && edge.edge.sourcePort === FOR_EACH_ITEM_PORT
          ? [...sourceScope, idOf(u)]
          : sourceScope;
      candidates.push({ scope, key: scope.join('\u0000'), edge });
    }
    if (candidates.length === 0) continue;
    // The deepest scope wins; an edge with another scope is the one that crosses a loop boundary.
    const chosen = candidates.reduce((best, c) => (c.scope.length > best.scope.length ? c : best));
    const conflict = candidates.find((c) => c.key !== chosen.key);
    if (conflict) {
      const inner = describe(chosen.scope);
      const outsideOfIt = conflict.scope.every((loop, i) => chosen.scope[i] === loop);
      issues.push({
        code: 'loop_body_entered_from_outside',
        message:
          `node ${q(idOf(v))} is reached ${inner} (edges[${chosen.edge.index}] from ${q(chosen.edge.edge.source)}) and ` +
          `${outsideOfIt ? 'from outside that loop' : describe(conflict.scope)} (edges[${conflict.edge.index}] from ${q(conflict.edge.edge.source)}): ` +
          'a loop body is entered only through its for-each "item" port and left only through its core.aggregate',
        path: `edges[${conflict.edge.index}]`,
        nodeId: idOf(v),
        ...(conflict.edge.edge.id === undefined ? {} : { edgeId: conflict.edge.edge.id }),
      });
    }
    if (typeOf(v) === AGGREGATE_TYPE) {
      const loop = chosen.scope[chosen.scope.length - 1];
      if (loop === undefined) {
        issues.push({
          code: 'aggregate_without_for_each',
          message: `aggregate ${q(idOf(v))} is not inside a for-each loop: wire it after the body of a core.for_each, or remove it`,
          path: `nodes[${v}]`,
          nodeId: idOf(v),
        });
        byNode[v] = [];
      } else {
        const closing = closers.get(loop) ?? [];
        closing.push(v);
        closers.set(loop, closing);
        byNode[v] = chosen.scope.slice(0, -1);
      }
    } else {
      byNode[v] = chosen.scope;
    }
  }
  return { byNode, closers };
}

/** Each reached for-each has its item port wired and exactly one aggregate closing it. */
function checkLoops(
  edges: readonly IndexedEdge[],
  reached: ReadonlySet<number>,
  closers: ReadonlyMap<string, number[]>,
  idOf: (i: number) => string,
  typeOf: (i: number) => string,
  count: number,
  duplicates: ReadonlySet<number>,
  indexById: ReadonlyMap<string, number>,
  issues: ValidationIssue[],
): Map<string, string> {
  const closing = new Map<string, string>();
  const itemWired = new Set<number>();
  for (const { edge } of edges) {
    if (edge.sourcePort === FOR_EACH_ITEM_PORT && indexById.has(edge.target)) {
      const s = indexById.get(edge.source);
      if (s !== undefined) itemWired.add(s);
    }
  }
  for (let i = 0; i < count; i++) {
    if (duplicates.has(i) || !reached.has(i) || typeOf(i) !== FOR_EACH_TYPE) continue;
    const id = idOf(i);
    if (!itemWired.has(i)) {
      issues.push({
        code: 'for_each_item_unwired',
        message: `for-each ${q(id)} has nothing wired to its "item" port: connect the steps to run per item`,
        path: `nodes[${i}]`,
        nodeId: id,
      });
      continue;
    }
    const aggregates = closers.get(id) ?? [];
    if (aggregates.length === 0) {
      issues.push({
        code: 'for_each_not_closed',
        message: `for-each ${q(id)} is never closed: wire the end of its body into a core.aggregate`,
        path: `nodes[${i}]`,
        nodeId: id,
      });
    } else if (aggregates.length > 1) {
      const second = aggregates[1] as number;
      issues.push({
        code: 'for_each_closed_twice',
        message: `for-each ${q(id)} is closed by ${aggregates.length} aggregates (${list(aggregates.map(idOf))}): join its body into exactly one core.aggregate`,
        path: `nodes[${second}]`,
        nodeId: idOf(second),
      });
    } else {
      closing.set(id, idOf(aggregates[0] as number));
    }
  }
  return closing;
}
