import type { NodeCatalog } from '@apiq/sdk';
import { BOX, layoutGraph } from './layout.ts';

const PAD = 24;
const ICON = 20;
const COLORS = {
  background: '#fafafa',
  box: '#ffffff',
  border: '#d4d4d8',
  trigger: '#4f46e5',
  edge: '#a1a1aa',
  title: '#18181b',
  subtitle: '#71717a',
  port: '#4f46e5',
};

interface PreviewNode {
  id: string;
  type: string;
  version: number;
  name?: string;
}

interface PreviewEdge {
  source: string;
  target: string;
  sourcePort: string;
}

/**
 * A small, deterministic SVG picture of a workflow graph: one box per node (icon, name, node
 * type) laid out left to right, edges as curves with their port named when it is not `main`.
 * The same graph and catalog always give the same bytes (the preview files are checked in).
 *
 * @example
 * const svg = renderPreviewSvg(template.graph, catalog); // '<svg xmlns=… viewBox="0 0 760 152">…'
 */
export function renderPreviewSvg(graph: unknown, catalog: NodeCatalog): string {
  const nodes = readNodes(graph);
  const edges = readEdges(graph, new Set(nodes.map((n) => n.id)));
  const layout = layoutGraph(
    nodes.map((n) => n.id),
    edges,
  );
  let width = 0;
  let height = 0;
  for (const p of layout.values()) {
    width = Math.max(width, p.x + BOX.width);
    height = Math.max(height, p.y + BOX.height);
  }
  width += PAD * 2;
  height += PAD * 2;

  const icons = new Map<string, string>();
  const defs: string[] = [
    `<marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto"><path d="M0 0L8 4L0 8z" fill="${COLORS.edge}"/></marker>`,
  ];
  const body: string[] = [];

  for (const e of edges) {
    const a = layout.get(e.source)!;
    const b = layout.get(e.target)!;
    const x1 = PAD + a.x + BOX.width;
    const y1 = PAD + a.y + BOX.height / 2;
    const x2 = PAD + b.x - 2;
    const y2 = PAD + b.y + BOX.height / 2;
    const bend = Math.max(24, (x2 - x1) / 2);
    body.push(
      `<path d="M${x1} ${y1}C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}" fill="none" stroke="${COLORS.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    if (e.sourcePort !== 'main')
      body.push(
        `<text x="${x1 + 6}" y="${y1 + (y2 >= y1 ? 14 : -6)}" font-size="10" fill="${COLORS.port}" stroke="${COLORS.background}" stroke-width="3" paint-order="stroke">${escapeXml(e.sourcePort)}</text>`,
      );
  }

  for (const node of nodes) {
    const p = layout.get(node.id)!;
    const def = catalog.get(node.type, node.version);
    const x = PAD + p.x;
    const y = PAD + p.y;
    const trigger = Boolean(def?.trigger);
    const title = truncate(node.name || def?.title || node.type, 24);
    body.push(
      `<g><title>${escapeXml(`${node.name || def?.title || node.type} (${node.type})`)}</title>`,
      `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="8" fill="${COLORS.box}" stroke="${trigger ? COLORS.trigger : COLORS.border}" stroke-width="${trigger ? 1.5 : 1}"/>`,
      iconMarkup(def?.icon, x + 12, y + (BOX.height - ICON) / 2, icons, defs),
      `<text x="${x + 42}" y="${y + 24}" font-size="12" font-weight="600" fill="${COLORS.title}">${escapeXml(title)}</text>`,
      `<text x="${x + 42}" y="${y + 40}" font-size="10" fill="${COLORS.subtitle}">${escapeXml(truncate(node.type, 28))}</text>`,
      `</g>`,
    );
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" role="img">`,
    `<defs>${defs.join('')}</defs>`,
    `<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`,
    ...body,
    `</svg>`,
    '',
  ].join('\n');
}

function iconMarkup(
  icon: string | undefined,
  x: number,
  y: number,
  icons: Map<string, string>,
  defs: string[],
): string {
  const text = (glyph: string, size: number) =>
    `<text x="${x + ICON / 2}" y="${y + ICON / 2 + size / 3}" font-size="${size}" text-anchor="middle" fill="${COLORS.subtitle}">${escapeXml(glyph)}</text>`;
  if (!icon) return text('•', 16);
  if (icon.trimStart().startsWith('<svg')) {
    let id = icons.get(icon);
    if (!id) {
      id = `icon-${icons.size}`;
      icons.set(icon, id);
      const data = Buffer.from(icon.trim(), 'utf8').toString('base64');
      defs.push(`<image id="${id}" width="${ICON}" height="${ICON}" href="data:image/svg+xml;base64,${data}"/>`);
    }
    return `<use href="#${id}" x="${x}" y="${y}"/>`;
  }
  return text([...icon].slice(0, 2).join(''), 15);
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readNodes(graph: unknown): PreviewNode[] {
  const list = (graph as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  const out: PreviewNode[] = [];
  for (const n of list as Array<Record<string, unknown>>) {
    if (typeof n?.id !== 'string' || seen.has(n.id)) continue;
    seen.add(n.id);
    out.push({
      id: n.id,
      type: typeof n.type === 'string' ? n.type : '?',
      version: typeof n.version === 'number' ? n.version : 1,
      ...(typeof n.name === 'string' && n.name ? { name: n.name } : {}),
    });
  }
  return out;
}

function readEdges(graph: unknown, ids: Set<string>): PreviewEdge[] {
  const list = (graph as { edges?: unknown } | null)?.edges;
  if (!Array.isArray(list)) return [];
  return (list as Array<Record<string, unknown>>)
    .filter((e) => typeof e?.source === 'string' && typeof e.target === 'string')
    .filter((e) => ids.has(e.source as string) && ids.has(e.target as string))
    .map((e) => ({
      source: e.source as string,
      target: e.target as string,
      sourcePort: typeof e.sourcePort === 'string' ? e.sourcePort : 'main',
    }));
}
