import type { NodeCatalog, NodeDefinition } from '@apiq/sdk';
import { tokenize } from './text.ts';

/** Something the planner can put in a workflow: an installed node type, or an imported API operation. */
export interface Candidate {
  /** Node type id, e.g. `slack.post_message`. */
  type: string;
  version: number;
  title: string;
  description: string;
  keywords: string[];
  category: string;
  trigger?: string;
  /** For imported API operations: the params that select the operation. */
  presetParams?: Record<string, unknown>;
}

export interface SearchHit {
  candidate: Candidate;
  score: number;
}

interface Doc {
  candidate: Candidate;
  /** Term frequencies, with title and keyword terms weighted up. */
  tf: Map<string, number>;
  length: number;
}

/**
 * BM25 over the catalog (titles and keywords count three times, the id's words twice). Fast
 * enough for thousands of candidates: building is linear, a query touches each document once.
 *
 * @example
 * const index = CatalogIndex.fromCatalog(catalog);
 * index.search('post a message to slack', 5)[0].candidate.type; // 'slack.post_message'
 */
export class CatalogIndex {
  private readonly docs: Doc[];
  private readonly df = new Map<string, number>();
  private readonly avgLength: number;

  constructor(candidates: Candidate[]) {
    this.docs = candidates.map((candidate) => {
      const tf = new Map<string, number>();
      const add = (text: string, weight: number) => {
        for (const t of tokenize(text)) tf.set(t, (tf.get(t) ?? 0) + weight);
      };
      add(candidate.title, 3);
      add(candidate.keywords.join(' '), 3);
      add(candidate.type.replace(/[._]/g, ' '), 2);
      add(candidate.description, 1);
      let length = 0;
      for (const v of tf.values()) length += v;
      return { candidate, tf, length };
    });
    for (const d of this.docs) for (const t of d.tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.avgLength = this.docs.reduce((s, d) => s + d.length, 0) / Math.max(1, this.docs.length);
  }

  static fromCatalog(catalog: NodeCatalog, extra: Candidate[] = []): CatalogIndex {
    const latest = new Map<string, NodeDefinition>();
    for (const { def } of catalog.list()) {
      const prev = latest.get(def.id);
      if (!prev || prev.version < def.version) latest.set(def.id, def);
    }
    const candidates: Candidate[] = [...latest.values()].map((def) => ({
      type: def.id,
      version: def.version,
      title: def.title,
      description: def.description,
      keywords: def.keywords,
      category: def.category,
      ...(def.trigger ? { trigger: def.trigger } : {}),
    }));
    return new CatalogIndex([...candidates, ...extra]);
  }

  get size(): number {
    return this.docs.length;
  }

  has(type: string): boolean {
    return this.docs.some((d) => d.candidate.type === type);
  }

  get(type: string): Candidate | undefined {
    return this.docs.find((d) => d.candidate.type === type)?.candidate;
  }

  /** The best `limit` candidates for a text, optionally only triggers or only actions. */
  search(query: string, limit = 10, filter?: (c: Candidate) => boolean): SearchHit[] {
    const terms = [...new Set(tokenize(query))];
    if (terms.length === 0) return [];
    const n = this.docs.length;
    const k1 = 1.2;
    const b = 0.75;
    const hits: SearchHit[] = [];
    for (const d of this.docs) {
      if (filter && !filter(d.candidate)) continue;
      let score = 0;
      for (const t of terms) {
        const f = d.tf.get(t);
        if (!f) continue;
        const df = this.df.get(t) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * (f * (k1 + 1))) / (f + k1 * (1 - b + (b * d.length) / this.avgLength));
      }
      if (score > 0) hits.push({ candidate: d.candidate, score });
    }
    return hits
      .sort((a, b2) => b2.score - a.score || a.candidate.type.localeCompare(b2.candidate.type))
      .slice(0, limit);
  }
}
