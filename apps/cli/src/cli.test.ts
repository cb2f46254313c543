import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, testServers } from '@apiq/db/testing';

const BIN = fileURLToPath(new URL('../bin/apiq.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the apiq command', () => {
  let dir = '';
  let databaseUrl = '';
  let drop: () => Promise<void> = async () => {};
  const apiq = (...args: string[]) =>
    new Promise<Result>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, DATABASE_URL: databaseUrl, APIQ_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const file = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const flow = {
    name: 'greet',
    nodes: [
      { id: 'start', type: 'core.manual_trigger' },
      {
        id: 'greet',
        type: 'core.set',
        params: { fields: { greeting: { kind: 'expr', src: '"Hello, " & $trigger.name' } }, mode: 'replace' },
      },
    ],
    edges: [{ source: 'start', target: 'greet' }],
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apiq-cli-'));
    const test = await createTestDatabase(testServers()[0]!.url);
    databaseUrl = test.url;
    drop = test.drop;
  });
  afterAll(async () => {
    await drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates a good workflow with exit code 0', async () => {
    const r = await apiq('validate', await file('good.json', flow));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(2 nodes, 1 edges\)/);
  });

  it('lists every problem of a bad workflow with exit code 1', async () => {
    const bad = {
      ...flow,
      nodes: [...flow.nodes, { id: 'lost', type: 'core.no_op' }],
      edges: [...flow.edges, { source: 'greet', target: 'nowhere' }],
    };
    const r = await apiq('validate', await file('bad.json', bad));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/edges\[1\]\.target: .*nowhere/);
    expect(r.stderr).toMatch(/lost/);
  });

  it('says which file is missing or not JSON, with exit code 2', async () => {
    const missing = await apiq('validate', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such file/);
    const broken = await apiq('validate', await file('broken.json', '{"name": '));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json is not valid JSON/);
  });

  it('runs a workflow and prints each step and the output', async () => {
    const r = await apiq('run', await file('run.json', flow), '--input', '{"name":"Ada"}');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ start\s+succeeded/);
    expect(r.stdout).toMatch(/✓ greet\s+succeeded/);
    expect(r.stdout).toMatch(/run succeeded/);
    expect(r.stdout).toContain('"greeting": "Hello, Ada"');
  });

  it('prints the run as JSON with --json and fails with exit 1 when the run fails', async () => {
    const ok = await apiq('run', await file('run.json', flow), '--input', '{"name":"Bo"}', '--json');
    expect(ok.code).toBe(0);
    const run = JSON.parse(ok.stdout) as { status: string; output: unknown; steps: unknown[] };
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ greeting: 'Hello, Bo' });
    expect(run.steps).toHaveLength(2);
    const failing = {
      name: 'fails',
      nodes: [flow.nodes[0], { id: 'stop', type: 'core.stop_error', params: { message: 'not today' } }],
      edges: [{ source: 'start', target: 'stop' }],
    };
    const bad = await apiq('run', await file('fails.json', failing));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ stop\s+failed\s.*not today/);
  });

  it('rejects --input that is not JSON', async () => {
    const r = await apiq('run', await file('run.json', flow), '--input', '{name}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input is not valid JSON/);
  });

  it('exports what it imported', async () => {
    const imported = await apiq('import', await file('import.json', { ...flow, name: 'imported flow' }));
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported flow/);
    const exported = await apiq('export', '--workflow', 'imported flow');
    expect(exported.code).toBe(0);
    const bundle = JSON.parse(exported.stdout) as { workflows: { graph: { name: string; nodes: unknown[] } }[] };
    expect(bundle.workflows).toHaveLength(1);
    expect(bundle.workflows[0]!.graph.name).toBe('imported flow');
    expect(bundle.workflows[0]!.graph.nodes).toHaveLength(2);
    const again = await apiq('import', await file('bundle.json', exported.stdout));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported flow {2}v2/);
  });

  it('imports nothing when one workflow cannot be activated', async () => {
    const hook = (name: string) => ({
      name,
      nodes: [{ id: 'hook', type: 'core.webhook_trigger', params: { path: 'same/path' } }],
      edges: [],
    });
    const r = await apiq(
      'import',
      await file('clash.json', { workflows: [{ graph: hook('first hook') }, { graph: hook('second hook') }] }),
      '--activate',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing imported: webhook path "\/webhook\/same\/path" is already used/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const names = (
      JSON.parse((await apiq('export')).stdout) as { workflows: { graph: { name: string } }[] }
    ).workflows.map((w) => w.graph.name);
    expect(names).not.toContain('first hook');
  });

  it('refuses an import with an invalid workflow and imports nothing', async () => {
    const r = await apiq(
      'import',
      await file('bad-bundle.json', { workflows: [{ graph: flow }, { graph: { name: 'x', nodes: [] } }] }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing imported/);
    const exported = await apiq('export');
    const names = (JSON.parse(exported.stdout) as { workflows: { graph: { name: string } }[] }).workflows.map(
      (w) => w.graph.name,
    );
    expect(names).not.toContain('x');
  });

  it('lists runs, shows one, and refuses actions that do not fit its state', async () => {
    await apiq('run', await file('run.json', flow), '--input', '{"name":"Cy"}');
    const list = await apiq('runs', 'list', '--workflow', 'greet', '--json');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; status: string; name: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.name === 'greet' && r.status === 'succeeded')).toBe(true);
    const shown = await apiq('runs', 'show', rows[0]!.id);
    expect((JSON.parse(shown.stdout) as { steps: unknown[] }).steps).toHaveLength(2);
    const retry = await apiq('runs', 'retry', rows[0]!.id);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/is succeeded: only failed, dead or cancelled runs can be retried/);
    const bad = await apiq('runs', 'cancel', 'not-a-run');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"not-a-run" is not a run id/);
  });

  it('exits 2 on an unknown command', async () => {
    const r = await apiq('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });
});
