import type { GraphEdge, GraphNode } from '@apiq/graph';
import { paramsJsonSchema, type NodeCatalog } from '@apiq/sdk';
import type { CatalogIndex } from '../catalog-search.ts';
import { slug } from '../text.ts';
import { parseCondition } from './condition.ts';
import { STEP_RULES, type Intent, type ParamGuess } from './intents.ts';
import type { PlanStep } from './parse.ts';

export interface BuiltGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  explanation: Array<{ nodeId: string; text: string }>;
  todo: Array<{ nodeId: string; param: string; hint: string }>;
  /** Step clauses no node could be found for. */
  unmatched: string[];
  /** Clauses that announce a notification without saying where. */
  unclearDestination: string[];
}

interface JsonSchemaObject {
  properties?: Record<string, { type?: string | string[]; enum?: unknown[]; default?: unknown }>;
  required?: string[];
}

/** Steps that fetch data, and steps that deliver it somewhere. */
const SOURCES = new Set([
  'github.list_pull_requests',
  'github.get_repository',
  'trello.list_cards',
  'stripe.list_charges',
  'stripe.list_invoices',
  'slack.list_channels',
  'core.http_request',
]);
/** Steps that naturally follow a fetch in the same clause. */
const FOLLOW_UPS = new Set(['slack.post_message', 'email.send', 'core.respond_webhook', 'openai.chat_completion']);

/** The node a clause's leading verb asks for, when several rules match it. */
const VERB_TYPES: Record<string, string> = {
  email: 'email.send',
  'e-mail': 'email.send',
  mail: 'email.send',
  summarize: 'openai.chat_completion',
  summarise: 'openai.chat_completion',
  classify: 'openai.chat_completion',
  translate: 'openai.chat_completion',
  draft: 'openai.chat_completion',
  enrich: 'openai.chat_completion',
  post: 'slack.post_message',
  reply: 'core.respond_webhook',
  respond: 'core.respond_webhook',
};

const NOTIFY = /\b(?:notify|notification|alert|tell|ping|let\s+\S+\s+know|message|announce)\b/i;

/** Where the next node attaches: a node and one of its output ports. */
interface Tail {
  node: string;
  port: string;
}

/**
 * Turns the step tree into nodes and edges. Each step's parameters are fitted to the node type's
 * schema: known guesses are kept, missing required ones get a placeholder and a to-do.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly explanation: BuiltGraph['explanation'] = [];
  readonly todo: BuiltGraph['todo'] = [];
  readonly unmatched: string[] = [];
  readonly unclearDestination: string[] = [];
  private readonly ids = new Set<string>();
  private readonly edgeIds = new Set<string>();

  /** Keeps ids already used by an existing graph (when adding to it). */
  reserve(nodeIds: Iterable<string>, edgeIds: Iterable<string>): void {
    for (const id of nodeIds) this.ids.add(id);
    for (const id of edgeIds) this.edgeIds.add(id);
  }

  constructor(
    private readonly catalog: NodeCatalog,
    private readonly index: CatalogIndex,
    private readonly triggerType: string,
  ) {}

  private newId(name: string): string {
    const base = slug(name, 30);
    let id = base;
    for (let i = 2; this.ids.has(id); i++) id = `${base}_${i}`;
    this.ids.add(id);
    return id;
  }

  private fitParams(type: string, nodeId: string, guesses: Record<string, ParamGuess>): Record<string, unknown> {
    const versions = this.catalog.versions(type);
    const def = this.catalog.get(type, versions[versions.length - 1] ?? 1);
    if (!def) return Object.fromEntries(Object.entries(guesses).map(([k, g]) => [k, g.value]));
    const schema = paramsJsonSchema(def) as JsonSchemaObject;
    const props = schema.properties ?? {};
    const params: Record<string, unknown> = {};
    for (const [key, guess] of Object.entries(guesses)) {
      if (!(key in props)) continue;
      params[key] = guess.value;
      if (guess.todo) this.todo.push({ nodeId, param: key, hint: guess.todo });
    }
    for (const key of schema.required ?? []) {
      if (key in params) continue;
      const prop = props[key] ?? {};
      const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
      const placeholder =
        prop.default !== undefined
          ? prop.default
          : prop.enum?.length
            ? prop.enum[0]
            : type === 'number' || type === 'integer'
              ? 1
              : type === 'boolean'
                ? false
                : type === 'array'
                  ? []
                  : type === 'object'
                    ? {}
                    : `TODO ${key}`;
      params[key] = placeholder;
      this.todo.push({ nodeId, param: key, hint: `Set ${key}` });
    }
    return params;
  }

  /** Adds a node of `type` after `from`; returns its id. */
  addNode(type: string, name: string, guesses: Record<string, ParamGuess>, explain: string, from?: Tail): string {
    const id = this.newId(name);
    const versions = this.catalog.versions(type);
    const node: GraphNode = {
      id,
      type,
      version: versions[versions.length - 1] ?? 1,
      name,
      params: this.fitParams(type, id, guesses),
    };
    this.nodes.push(node);
    this.explanation.push({ nodeId: id, text: explain });
    if (from) this.connect(from, id);
    return id;
  }

  connect(from: Tail, to: string, targetPort = 'main'): void {
    let n = this.edgeIds.size + 1;
    while (this.edgeIds.has(`e${n}`)) n++;
    this.edgeIds.add(`e${n}`);
    this.edges.push({
      id: `e${n}`,
      source: from.node,
      sourcePort: from.port,
      target: to,
      targetPort,
    });
  }

  /**
   * The node(s) for a clause. "Email me the open pull requests" names a source and a delivery:
   * that is two steps, fetch then send.
   */
  private intentsFor(clause: string): Intent[] {
    const matches = STEP_RULES.filter((rule) => rule.test.test(clause) && this.index.has(rule.type)).map((rule) => ({
      ...rule.build({ clause, triggerType: this.triggerType }),
      type: rule.type,
    }));
    const verb = /^\s*(?:please\s+|also\s+)?([a-z-]+)/i.exec(clause)?.[1]?.toLowerCase() ?? '';
    const preferred = VERB_TYPES[verb];
    // An app named in the clause ("reply in Slack") beats what the verb suggests.
    const named = matches.find((m) => new RegExp(String.raw`\b${m.type.split('.')[0]}\b`, 'i').test(clause));
    const primary =
      named && !SOURCES.has(named.type) ? named : (matches.find((m) => m.type === preferred) ?? matches[0]);
    const source = matches.find((m) => SOURCES.has(m.type));
    const other =
      primary && !SOURCES.has(primary.type) ? primary : matches.find((m) => FOLLOW_UPS.has(m.type) && m !== source);
    if (source && other) {
      // "Email me the open pull requests": fetch, then do the main thing with what was fetched.
      if ('text' in other.params) other.params.text = { value: { kind: 'expr', src: '$string($input)' } };
      return [source, other];
    }
    if (primary) return [primary];
    // "Notify the team" without an app or channel: ask rather than guess.
    if (NOTIFY.test(clause)) return [];
    const fallback = this.intentFor(clause);
    return fallback ? [fallback] : [];
  }

  private intentFor(clause: string): Intent | undefined {
    // Fall back to the catalog: the best action whose words match the clause well enough.
    const hit = this.index.search(clause, 1, (c) => !c.trigger && c.category !== 'trigger')[0];
    if (hit && hit.score >= 4)
      return {
        type: hit.candidate.type,
        name: hit.candidate.title,
        explain: hit.candidate.description.split(/(?<=\.)\s/)[0] ?? hit.candidate.title,
        params: Object.fromEntries(Object.entries(hit.candidate.presetParams ?? {}).map(([k, v]) => [k, { value: v }])),
      };
    return undefined;
  }

  /** Adds the steps after `from`; returns the tails the next step should attach to. */
  addSteps(steps: PlanStep[], from: Tail[]): Tail[] {
    let tails = from;
    for (const step of steps) tails = this.addStep(step, tails);
    return tails;
  }

  private join(tails: Tail[]): Tail[] {
    if (tails.length <= 1) return tails;
    const merge = this.addNode('core.merge', 'Merge', { mode: { value: 'merge' } }, 'Joins the branches again.');
    const ports = ['a', 'b', 'c', 'd'];
    tails.slice(0, 4).forEach((t, i) => this.connect(t, merge, ports[i]));
    return [{ node: merge, port: 'main' }];
  }

  private addStep(step: PlanStep, from: Tail[]): Tail[] {
    const tails = this.join(from);
    const prev = tails[0];
    switch (step.kind) {
      case 'action': {
        const intents = this.intentsFor(step.clause);
        if (intents.length === 0) {
          if (NOTIFY.test(step.clause)) this.unclearDestination.push(step.clause);
          else this.unmatched.push(step.clause);
          return tails;
        }
        let at = prev;
        for (const intent of intents) {
          const id = this.addNode(intent.type, intent.name, intent.params, intent.explain, at);
          at = { node: id, port: 'main' };
        }
        return [at!];
      }
      case 'wait': {
        const id = step.approval
          ? this.addNode(
              'core.wait',
              'Wait for approval',
              { mode: { value: 'webhook' } },
              'Pauses until someone calls the run’s resume URL (send it to the approver).',
              prev,
            )
          : this.addNode(
              'core.wait',
              'Wait',
              { mode: { value: 'duration' }, durationMs: { value: step.durationMs ?? 60_000 } },
              `Waits ${Math.round((step.durationMs ?? 60_000) / 60_000)} minute(s).`,
              prev,
            );
        return [{ node: id, port: 'main' }];
      }
      case 'if': {
        const c = parseCondition(step.conditionText, this.triggerType, prev?.node === this.nodes[0]?.id);
        const id = this.addNode(
          'core.if',
          `If ${c.description}`.slice(0, 60),
          { condition: { value: c.condition } },
          c.understood
            ? `Continues on “true” when ${c.description}, else on “false”.`
            : `Checks “${step.conditionText}” (set the condition).`,
          prev,
        );
        if (!c.understood)
          this.todo.push({ nodeId: id, param: 'condition', hint: `Set the condition: ${step.conditionText}` });
        const thenTails = this.addSteps(step.then, [{ node: id, port: 'true' }]);
        const elseTails = this.addSteps(step.else, [{ node: id, port: 'false' }]);
        const out = [...thenTails.filter((t) => t.node !== id), ...elseTails.filter((t) => t.node !== id)];
        return out.length > 0 ? out : [{ node: id, port: 'true' }];
      }
      case 'loop': {
        const items = /\b(?:item|row|record|line|entry|order|user|contact|customer|issue|file|result)s?\b/i.exec(
          step.itemsText,
        );
        const field = items ? `${items[0].toLowerCase().replace(/s$/, '')}s` : 'items';
        const loop = this.addNode(
          'core.for_each',
          `For each ${items?.[0]?.toLowerCase().replace(/s$/, '') ?? 'item'}`,
          {
            items: { value: { kind: 'expr', src: `$input.${field}` }, todo: `Point at the list of ${step.itemsText}` },
          },
          `Repeats the next steps for each of ${step.itemsText}.`,
          prev,
        );
        const body = this.addSteps(step.body, [{ node: loop, port: 'item' }]);
        const collect = this.addNode(
          'core.aggregate',
          'Collect results',
          {},
          'Collects the results of every item into a list.',
        );
        for (const t of body) this.connect(t, collect);
        return [{ node: collect, port: 'main' }];
      }
    }
  }
}
