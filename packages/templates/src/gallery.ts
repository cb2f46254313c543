import type { NodeCatalog } from '@apiq/sdk';
import type { Template, TemplateSource } from './template-schema.ts';
import { categoryTitle } from './categories.ts';
import { renderPreviewSvg } from './preview-svg.ts';
import { loadTemplates } from './load-templates.ts';
import { validateTemplate } from './validate-template.ts';
import type { TemplateIssue } from './template-issues.ts';

/** What a gallery card shows. */
export interface TemplateSummary {
  id: string;
  title: string;
  description: string;
  category: string;
  categoryTitle: string;
  apps: string[];
  tags: string[];
  source: TemplateSource;
  featured: boolean;
  nodeCount: number;
  requiredCredentials: Array<{ kind: string; kindTitle: string; nodeIds: string[]; why: string }>;
  /** The graph drawn as a small SVG document (show it as an image, never as markup). */
  previewSvg: string;
}

/** What the template page shows: the card plus setup notes and the graph. */
export interface TemplateDetail extends TemplateSummary {
  setupNotes: string;
  graph: Record<string, unknown>;
}

export interface TemplateFilter {
  /** Words that must all appear in the title, description, apps, tags or category. */
  search?: string | undefined;
  category?: string | undefined;
  /** An app name as listed in `apps`, case-insensitive. */
  app?: string | undefined;
}

/** The card of a template. */
export function summarizeTemplate(template: Template, catalog: NodeCatalog): TemplateSummary {
  const { meta } = template;
  return {
    id: meta.id,
    title: meta.title,
    description: meta.description,
    category: meta.category,
    categoryTitle: categoryTitle(meta.category),
    apps: meta.apps,
    tags: meta.tags,
    source: template.source,
    featured: meta.featured === true,
    nodeCount: Array.isArray(template.graph.nodes) ? template.graph.nodes.length : 0,
    requiredCredentials: meta.requiredCredentials.map((r) => ({
      ...r,
      kindTitle: catalog.credentialKind(r.kind)?.title ?? r.kind,
    })),
    previewSvg: renderPreviewSvg(template.graph, catalog),
  };
}

/** The template page's data. */
export function describeTemplate(template: Template, catalog: NodeCatalog): TemplateDetail {
  return {
    ...summarizeTemplate(template, catalog),
    setupNotes: template.meta.setupNotes,
    graph: template.graph,
  };
}

/**
 * The templates matching a search (every word somewhere in title, description, apps, tags or
 * category), a category and an app; order kept.
 *
 * @example
 * filterTemplates(all, { search: 'slack issue', app: 'GitHub' });
 */
export function filterTemplates<T extends Template>(templates: T[], filter: TemplateFilter): T[] {
  const words = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const app = filter.app?.toLowerCase();
  return templates.filter((t) => {
    const m = t.meta;
    if (filter.category && m.category !== filter.category) return false;
    if (app && !m.apps.some((a) => a.toLowerCase() === app)) return false;
    if (!words.length) return true;
    const text = [m.title, m.description, categoryTitle(m.category), ...m.apps, ...m.tags].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The templates offered first: those marked featured, then the rest, `count` in all. */
export function pickFeatured<T extends Template>(templates: T[], count = 3): T[] {
  return [...templates.filter((t) => t.meta.featured), ...templates.filter((t) => !t.meta.featured)].slice(0, count);
}

export interface BuiltInTemplates {
  templates: Template[];
  /** Templates left out because they do not validate against the installed nodes. */
  problems: TemplateIssue[];
}

const cache = new WeakMap<NodeCatalog, Map<string, Promise<BuiltInTemplates>>>();

/**
 * The repository's templates that validate against this catalog, read once per catalog and
 * folder. A template that does not validate (say its connector is not installed) is left out and
 * reported in `problems`, so one bad folder does not empty the gallery.
 */
export function builtInTemplates(dir: string, catalog: NodeCatalog): Promise<BuiltInTemplates> {
  let perDir = cache.get(catalog);
  if (!perDir) cache.set(catalog, (perDir = new Map()));
  let loaded = perDir.get(dir);
  if (!loaded) {
    loaded = (async () => {
      const templates: Template[] = [];
      const problems: TemplateIssue[] = [];
      for (const t of await loadTemplates(dir)) {
        const checked = validateTemplate(t, catalog);
        if (checked.ok) templates.push(t);
        else problems.push(...checked.issues);
      }
      return { templates, problems };
    })();
    loaded.catch(() => perDir.delete(dir));
    perDir.set(dir, loaded);
  }
  return loaded;
}
