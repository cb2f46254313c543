// `npm run eval:planner`: scores the offline planner (always) and the model planner (when
// OPENAI_API_KEY or OPENAI_BASE_URL is set) on the cases in cases.ts. Prints figures; asserts nothing.
import { discoverNodes, findProjectRoot } from '@apiq/catalog';
import { CatalogIndex, planOffline, scoreCase, summarize, type CaseScore, type Proposal } from '../src/index.ts';
import { CASES, HELD_OUT, type PlannerCase } from './cases.ts';

const json = process.argv.includes('--json');
const verbose = process.argv.includes('--verbose');
const catalog = await discoverNodes(findProjectRoot());
const index = CatalogIndex.fromCatalog(catalog);

async function run(name: string, cases: PlannerCase[], plan: (prompt: string) => Promise<Proposal> | Proposal) {
  const scores: CaseScore[] = [];
  for (const c of cases) {
    const started = performance.now();
    const proposal = await plan(c.prompt);
    scores.push(scoreCase(c, proposal, catalog, performance.now() - started));
  }
  return { planner: name, summary: summarize(scores), scores };
}

// Warm up once (schema conversion and regex compilation happen on first use).
planOffline(CASES[0]!.prompt, { catalog, index });
const offline = (p: string) => planOffline(p, { catalog, index });
const results = [
  await run('offline (tuning set)', CASES, offline),
  await run('offline (held-out set)', HELD_OUT, offline),
];
if (process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL) {
  const { planWithModel, modelConfigFromEnv } =
    (await import('../src/index.ts')) as never as typeof import('../src/model/planner.ts');
  const config = modelConfigFromEnv(process.env);
  const model = (p: string) => planWithModel(p, { catalog, index, model: config });
  results.push(await run(`model ${config.model} (tuning set)`, CASES, model));
  results.push(await run(`model ${config.model} (held-out set)`, HELD_OUT, model));
}

if (json) {
  process.stdout.write(
    `${JSON.stringify(
      results.map((r) => ({ planner: r.planner, ...r.summary })),
      null,
      2,
    )}\n`,
  );
} else {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const r of results) {
    const s = r.summary;
    process.stdout.write(
      `\n${r.planner} planner, ${s.cases} cases\n` +
        `  all right (valid, trigger, steps, order): ${pct(s.passRate)}\n` +
        `  graph validates: ${pct(s.validRate)}   trigger right: ${pct(s.triggerRate)}\n` +
        `  node-type precision: ${pct(s.precision)}   recall: ${pct(s.recall)}   order right: ${pct(s.orderRate)}\n` +
        `  median latency: ${s.medianMs.toFixed(1)} ms\n`,
    );
    for (const c of r.scores)
      if (!c.pass || verbose) process.stdout.write(`  ${c.pass ? 'ok  ' : 'MISS'} ${c.prompt}\n        got ${c.got}\n`);
  }
}
