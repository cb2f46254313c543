// `npm run templates:previews`: writes templates/<slug>/preview.svg for every template, drawn
// from its workflow.json with the installed node catalog (a test checks they are up to date).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { discoverNodes, findProjectRoot } from '@apiq/catalog';
import { loadTemplates, PREVIEW_FILE } from './load-templates.ts';
import { renderPreviewSvg } from './preview-svg.ts';

const root = findProjectRoot();
const catalog = await discoverNodes(root);
let changed = 0;
for (const template of await loadTemplates(join(root, 'templates'))) {
  const file = join(template.dir!, PREVIEW_FILE);
  const svg = renderPreviewSvg(template.graph, catalog);
  const before = await readFile(file, 'utf8').catch(() => '');
  if (before === svg) continue;
  await writeFile(file, svg);
  changed++;
  console.log(`wrote templates/${template.meta.id}/${PREVIEW_FILE}`);
}
console.log(changed ? `${changed} preview(s) updated` : 'previews are up to date');
