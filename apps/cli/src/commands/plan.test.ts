import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));

function apiq(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, APIQ_LOG_LEVEL: 'silent' };
    delete env.OPENAI_API_KEY;
    delete env.OPENAI_BASE_URL;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('apiq plan', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apiq-plan-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints a proposal the validator accepts, and writes it with --out', async () => {
    const out = join(dir, 'flow.json');
    const r = await apiq('plan', 'Every Monday at 9am, email me the open pull requests', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Offline planner (no model configured)');
    expect(r.stdout).toContain('list_pull_requests');
    expect(r.stdout).toContain('Fill in before running:');
    const checked = await apiq('validate', out);
    expect(checked.stdout).toContain('valid (3 nodes, 2 edges)');
    expect(checked.code).toBe(0);
  });

  it('prints JSON with --json and edits a workflow with --edit', async () => {
    const file = join(dir, 'base.json');
    const first = await apiq('plan', 'When a GitHub issue is opened, post to #dev on Slack', '--json');
    const proposal = JSON.parse(first.stdout) as { planner: string; graph: unknown };
    expect(proposal.planner).toBe('offline');
    await writeFile(file, JSON.stringify(proposal.graph));
    const edited = await apiq('plan', 'also create a Trello card', '--edit', file, '--json', '--out', file);
    expect(edited.code).toBe(0);
    const graph = JSON.parse(await readFile(file, 'utf8')) as { nodes: Array<{ type: string }> };
    expect(graph.nodes.map((n) => n.type)).toEqual(['github.issue_opened', 'slack.post_message', 'trello.create_card']);
  });

  it('exits 2 with the question when the request is unclear', async () => {
    const r = await apiq('plan', 'When something happens, notify the team');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Question: What should start this workflow');
  });
});
