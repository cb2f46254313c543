import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realCatalog } from '@apiq/runtime/testing';
import {
  instantiateTemplate,
  layoutGraph,
  loadTemplates,
  parseTemplateFile,
  renderPreviewSvg,
  TemplateError,
  toTemplateFile,
  validateTemplate,
  type Template,
} from './index.ts';

const catalog = await realCatalog();

const template = (): Template => ({
  source: 'built-in',
  meta: {
    id: 'issue-to-slack',
    title: 'Issue to Slack',
    description: 'Posts new issues.',
    category: 'engineering',
    apps: ['GitHub', 'Slack'],
    requiredCredentials: [
      { kind: 'github', nodeIds: ['issue'], why: 'webhook secret' },
      { kind: 'slack', nodeIds: ['post'], why: 'bot token' },
    ],
    setupNotes: '',
    tags: [],
  },
  graph: {
    name: 'Issue to Slack',
    nodes: [
      { id: 'issue', type: 'github.issue_opened', params: { path: 'gh/issues' } },
      { id: 'post', type: 'slack.post_message', params: { channel: '#dev', text: 'new issue' } },
    ],
    edges: [{ source: 'issue', target: 'post' }],
  },
});

const messages = (t: { meta: unknown; graph: unknown }) => {
  const checked = validateTemplate(t, catalog);
  return checked.ok ? [] : checked.issues.map((i) => `${i.file} ${i.path}: ${i.message}`);
};

describe('validateTemplate', () => {
  it('accepts a template whose connections are all declared', () => {
    expect(messages(template())).toEqual([]);
  });

  it('names the file and path of every problem: undeclared or wrong connections, ids in the graph, bad params', () => {
    const t = template();
    t.meta.requiredCredentials = [{ kind: 'trello', nodeIds: ['post', 'ghost'], why: 'x' }];
    const nodes = t.graph.nodes as Array<Record<string, unknown>>;
    nodes[1]!.credentials = { slack: '3f2a6c1e-0000-4000-8000-000000000000' };
    nodes[1]!.params = { text: 'no channel' };
    expect(messages(t)).toEqual(
      expect.arrayContaining([
        'workflow.json nodes[1].credentials: node "post" names a connection id; templates must not: declare the kind in requiredCredentials (template.json) and the user picks a connection when using the template',
        'template.json requiredCredentials[0].nodeIds[0]: node "post" (slack.post_message) does not take a "trello" connection; it takes: slack',
        'template.json requiredCredentials[0].nodeIds[1]: there is no node "ghost" in the workflow',
        'template.json requiredCredentials: node "issue" (nodes[0], github.issue_opened) needs a "github" connection: add { "kind": "github", "nodeIds": ["issue"], "why": "…" }',
      ]),
    );
  });

  it('refuses unknown categories and node types', () => {
    const t = template();
    (t.meta as { category: string }).category = 'misc';
    (t.graph.nodes as Array<{ type: string }>)[1]!.type = 'slack.post_massage';
    const found = messages(t);
    expect(found.some((m) => m.startsWith('template.json category: category must be one of engineering'))).toBe(true);
    expect(found.some((m) => m.startsWith('workflow.json nodes[1].type:') && m.includes('slack.post_massage'))).toBe(
      true,
    );
  });
});

describe('instantiateTemplate', () => {
  it('puts the chosen connections on the nodes that need them, fills positions and names the workflow', () => {
    const t = template();
    const { graph, missing } = instantiateTemplate(t, { credentialChoices: { slack: 'conn-slack' }, name: 'Mine' });
    const nodes = graph.nodes as Array<{ id: string; credentials?: object; position?: object }>;
    expect(graph.name).toBe('Mine');
    expect(nodes[1]).toMatchObject({ credentials: { slack: 'conn-slack' }, position: { x: 256, y: 0 } });
    expect(nodes[0]!.credentials).toBeUndefined();
    expect(missing.map((m) => m.kind)).toEqual(['github']);
    expect((t.graph.nodes as Array<{ credentials?: object }>)[1]!.credentials).toBeUndefined();
    expect(() => instantiateTemplate(t, { credentialChoices: { trello: 'x' } })).toThrow(
      'Template "issue-to-slack" does not use "trello" connections; it needs: github, slack.',
    );
  });
});

describe('preview and layout', () => {
  it('lays out left to right by longest path, deterministically', () => {
    const edges = [
      { source: 'a', target: 'b' },
      { source: 'a', target: 'c' },
      { source: 'b', target: 'd' },
      { source: 'c', target: 'd' },
    ];
    const layout = layoutGraph(['a', 'b', 'c', 'd'], edges);
    expect([...layout.values()].map((p) => p.layer)).toEqual([0, 1, 1, 2]);
    expect(layoutGraph(['a', 'b', 'c', 'd'], edges)).toEqual(layout);
  });

  it('draws every node with its name and type and names non-main ports, the same bytes every time', () => {
    const graph = {
      name: 'Branch',
      nodes: [
        { id: 'start', type: 'core.manual_trigger', name: 'Start <here>' },
        { id: 'check', type: 'core.if', params: { condition: true } },
        { id: 'yes', type: 'core.no_op' },
      ],
      edges: [
        { source: 'start', target: 'check' },
        { source: 'check', sourcePort: 'true', target: 'yes' },
      ],
    };
    const svg = renderPreviewSvg(graph, catalog);
    expect(svg).toBe(renderPreviewSvg(structuredClone(graph), catalog));
    expect(svg).toContain('Start &#60;here&#62;');
    expect(svg).toContain('>core.if</text>');
    expect(svg).toMatch(/>true<\/text>/);
    expect(svg).not.toMatch(/<script/i);
  });
});

describe('template files', () => {
  it('round-trips without connection ids, and refuses broken files saying where', () => {
    const t = template();
    (t.graph.nodes as Array<Record<string, unknown>>)[1]!.credentials = { slack: 'conn-1' };
    const file = toTemplateFile(t);
    expect(JSON.stringify(file)).not.toContain('conn-1');
    expect(parseTemplateFile(JSON.stringify(file), catalog, 'x.json').meta.id).toBe('issue-to-slack');

    const error = (input: unknown) => {
      try {
        parseTemplateFile(input, catalog, 'x.json');
      } catch (err) {
        return err as TemplateError;
      }
      throw new Error('expected a TemplateError');
    };
    expect(error('{ oops').message).toMatch(/^x\.json is not valid JSON/);
    expect(error({ meta: {}, graph: {} }).issues[0]).toMatchObject({ file: 'x.json', path: 'apiqTemplate' });
    const broken = structuredClone(file) as { meta: { title: string } };
    broken.meta.title = '';
    expect(error(broken).issues.map((i) => i.path)).toEqual(['meta.title']);
  });
});

describe('loadTemplates', () => {
  it('reads template folders and reports a malformed one by file and path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apiq-templates-'));
    try {
      await mkdir(join(dir, 'good'));
      await writeFile(join(dir, 'good', 'template.json'), JSON.stringify({ ...template().meta, id: 'good' }));
      await writeFile(join(dir, 'good', 'workflow.json'), JSON.stringify(template().graph));
      expect((await loadTemplates(dir)).map((t) => t.meta.id)).toEqual(['good']);

      await mkdir(join(dir, 'bad'));
      await writeFile(join(dir, 'bad', 'template.json'), JSON.stringify({ ...template().meta, id: 'other' }));
      const err = await loadTemplates(dir).catch((e: unknown) => e as TemplateError);
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).issues).toEqual([
        {
          template: 'bad',
          file: 'workflow.json',
          path: '',
          message: 'missing: add the workflow graph as bad/workflow.json',
        },
        { template: 'bad', file: 'template.json', path: 'id', message: 'id "other" must equal the folder name "bad"' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
