import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { realCatalog } from '@apiq/runtime/testing';
import {
  loadTemplates,
  PREVIEW_FILE,
  renderPreviewSvg,
  validateTemplate,
  formatTemplateIssues,
} from '../packages/templates/src/index.ts';
import { startWorld, type World } from './testing/world.ts';
import type { Scenario } from './testing/scenario.ts';

// Every template in this folder: valid against the installed catalog, its preview up to date,
// and run end to end on a real engine (PostgreSQL, executor, webhook server) against local
// servers standing in for each API it calls. See README.md ("How templates are tested").
const dir = fileURLToPath(new URL('.', import.meta.url));
const templates = await loadTemplates(dir);
const catalog = await realCatalog();

const SEED_SCENARIOS = [
  'github-issue-to-slack-and-trello',
  'customer-signup-onboarding',
  'crm-email-marketing-hourly-sync',
];

describe('the template gallery', () => {
  it('holds at least 20 templates, the seed scenarios among them, three featured', () => {
    expect(templates.length).toBeGreaterThanOrEqual(20);
    expect(templates.map((t) => t.meta.id)).toEqual(expect.arrayContaining(SEED_SCENARIOS));
    expect(templates.filter((t) => t.meta.featured)).toHaveLength(3);
  });

  it('gives every webhook trigger its own path, so all templates can be active at once', () => {
    const paths = templates
      .map((t) => (t.graph.nodes as Array<{ params?: { path?: unknown } }>)[0]?.params?.path)
      .filter((p): p is string => typeof p === 'string');
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe.each(templates.map((t) => [t.meta.id, t] as const))('template %s', (id, template) => {
  it('validates against the installed node catalog', () => {
    const checked = validateTemplate(template, catalog);
    expect(checked.ok ? '' : formatTemplateIssues(checked.issues)).toBe('');
  });

  it('has an up-to-date preview.svg (npm run templates:previews)', async () => {
    const file = join(template.dir!, PREVIEW_FILE);
    const onDisk = existsSync(file) ? await readFile(file, 'utf8') : '(missing)';
    expect(onDisk === renderPreviewSvg(template.graph, catalog), `${id}/${PREVIEW_FILE} is stale`).toBe(true);
  });

  it('has a scenario that runs it end to end', () => {
    expect(existsSync(join(template.dir!, 'scenario.ts')), `${id}/scenario.ts`).toBe(true);
  });
});

describe('every template runs end to end', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(testServers()[0]!.url);
  });
  afterAll(async () => {
    await world?.close();
  });

  it.each(templates.map((t) => [t.meta.id, t] as const))('%s', async (id, template) => {
    const { default: run } = (await import(`./${id}/scenario.ts`)) as { default: Scenario };
    const workflow = await world.prepare(template);
    await run(world, workflow);
  });
});
