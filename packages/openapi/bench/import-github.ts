// How long importing GitHub's REST API spec takes: read, parse and normalise its ~1,200
// operations, then store them (one transaction) in a scratch workspace, and search them.
// Prints the median of 3 runs. Uses DATABASE_URL, or the embedded PostgreSQL of APIQ_DATA_DIR.
//
//   npm run bench:openapi
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { openDatabase } from '@apiq/db';
import { parseSpec } from '../src/parse-spec.ts';
import { saveSpec } from '../src/store/save-spec.ts';
import { searchOperations } from '../src/store/search-operations.ts';

const RUNS = 3;
const require = createRequire(import.meta.url);
const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const opened = await openDatabase({ migrate: true });
const workspace = await opened.db
  .insertInto('workspaces')
  .values({ name: 'openapi bench', slug: `openapi-bench-${process.pid}-${Date.now()}` })
  .returning('id')
  .executeTakeFirstOrThrow();
const rows: Array<{ read: number; parse: number; store: number; total: number; search: number }> = [];
let operations = 0;
let bytes = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const text = await readFile(file, 'utf8');
    const t1 = performance.now();
    const spec = await parseSpec(text);
    const t2 = performance.now();
    await saveSpec(opened.db, workspace.id, { name: 'GitHub', slug: 'github', spec, raw: text });
    const t3 = performance.now();
    const hits = await searchOperations(opened.db, workspace.id, 'create issue', 5);
    const t4 = performance.now();
    if (hits[0]?.operationId !== 'issues/create') throw new Error(`search found ${hits[0]?.operationId}`);
    operations = spec.operations.length;
    bytes = text.length;
    rows.push({ read: t1 - t0, parse: t2 - t1, store: t3 - t2, total: t3 - t0, search: t4 - t3 });
  }
} finally {
  await opened.db.deleteFrom('workspaces').where('id', '=', workspace.id).execute();
  await opened.close();
}
const ms = (key: keyof (typeof rows)[number]) => `${Math.round(median(rows.map((r) => r[key])))} ms`;
console.log(`GitHub REST API spec: ${(bytes / 1e6).toFixed(1)} MB, ${operations} operations, median of ${RUNS} runs`);
console.log(`  read ${ms('read')}  parse ${ms('parse')}  store ${ms('store')}  import total ${ms('total')}`);
console.log(`  search "create issue": ${ms('search')}`);
