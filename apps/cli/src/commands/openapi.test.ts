import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, testServers, type TestDatabase } from '@apiq/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/apiq.js', import.meta.url));
const PETSTORE = fileURLToPath(new URL('../../../../packages/openapi/specs/petstore.yaml', import.meta.url));

describe('apiq openapi', () => {
  let test: TestDatabase;
  let dir = '';
  const apiq = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'openapi', ...args], {
        env: { ...process.env, DATABASE_URL: test.url, APIQ_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    test = await createTestDatabase(testServers()[0]!.url);
    dir = await mkdtemp(join(tmpdir(), 'apiq-openapi-cli-'));
  });
  afterAll(async () => {
    await test.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a spec file, then lists and searches its operations', async () => {
    const imported = await apiq('import', PETSTORE, '--slug', 'petstore');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toBe(
      'Imported: "Swagger Petstore - OpenAPI 3.0" as petstore: 19 operations, 0 skipped\n  warning: security scheme "petstore_auth": OAuth2 implicit flow is not supported; paste an access token as a bearer token instead\n',
    );
    const listed = await apiq('list');
    expect(listed.stdout).toMatch(/^petstore\s+19 operations\s+Swagger Petstore - OpenAPI 3\.0 1\.0\.20\n$/);
    const found = await apiq('search', 'find pet by id', '--limit', '3');
    expect(found.code).toBe(0);
    expect(found.stdout.split('\n')[0]).toBe('petstore:getPetById  GET /pet/{petId}  Find pet by ID');
  });

  it('prints { operations, skipped } with --json and says why operations were skipped', async () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Partial', version: '1' },
      servers: [{ url: 'https://partial.test' }],
      paths: {
        '/ok': { get: { operationId: 'ok', responses: { '200': { description: 'ok' } } } },
        '/items/{id}': { get: { operationId: 'getItem', responses: { '200': { description: 'ok' } } } },
      },
    };
    const file = join(dir, 'partial.json');
    await writeFile(file, JSON.stringify(spec));
    const r = await apiq('import', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      slug: 'partial',
      operations: 1,
      skipped: [
        {
          operation: 'GET /items/{id}',
          where: 'paths./items/{id}.get.parameters',
          reason: 'path parameter "id" of "/items/{id}" is not declared',
        },
      ],
    });
    const text = await apiq('import', file);
    expect(text.stdout).toContain(
      '  skipped GET /items/{id} (paths./items/{id}.get.parameters): path parameter "id" of "/items/{id}" is not declared\n',
    );
  });

  it('fails with a located error for a bad spec (exit 1) and a missing file (exit 2)', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'openapi: 3.0.3\ninfo:\n  title: "unterminated\n');
    const bad = await apiq('import', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*broken\.yaml line \d+, column \d+: is not valid YAML or JSON: /);
    const missing = await apiq('import', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: ${join(dir, 'nope.yaml')}: no such file\n`);
  });

  it('lists and installs the ready connections', async () => {
    const list = await apiq('ready');
    expect(list.stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(['jsonplaceholder', 'httpbin', 'petstore', '']);
    const installed = await apiq('ready', 'jsonplaceholder');
    expect(installed.stdout).toBe('Imported: "JSONPlaceholder" as jsonplaceholder: 18 operations, 0 skipped\n');
  });
});
