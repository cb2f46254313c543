/**
 * Prints how fast the hot paths are: a cached expression evaluation, params resolution,
 * and validating / compiling a 300-node graph. Figures only, no assertions.
 *
 *   npx tsx packages/graph/src/bench/measure-graph.ts
 */
import { performance } from 'node:perf_hooks';
import { compileExpression, evaluateExpression } from '../expressions.ts';
import { hasExpressions, resolveParams } from '../resolve-params.ts';
import { validateWorkflow } from '../validate.ts';
import { compileWorkflow } from '../compile.ts';
import type { WorkflowGraph } from '../schema.ts';
import { fixtureCatalog } from '../testing/fixture-catalog.ts';
import { buildLargeGraph } from '../testing/large-graph.ts';

async function measure(label: string, iterations: number, fn: () => unknown): Promise<void> {
  for (let i = 0; i < Math.min(200, iterations); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  const elapsed = performance.now() - start;
  const perOp = elapsed / iterations;
  const unit = perOp < 1 ? `${(perOp * 1000).toFixed(2)} µs` : `${perOp.toFixed(2)} ms`;
  console.log(
    `${label.padEnd(52)} ${unit.padStart(10)} per op   ${Math.round(iterations / (elapsed / 1000))
      .toLocaleString('en-US')
      .padStart(10)} ops/s`,
  );
}

const bindings = {
  trigger: { body: { items: Array.from({ length: 20 }, (_, i) => ({ sku: `sku-${i}`, price: i * 1.5 })) } },
  input: { amount: 21 },
  steps: { fetch: { status: 200, body: { id: 7 } } },
};
const src = '$sum($trigger.body.items.price)';

await measure(`evaluateExpression ${src} (cached)`, 20_000, () => evaluateExpression(src, bindings));
const compiled = compileExpression(src);
await measure('compiled.evaluate (same, holding the compiled form)', 20_000, () => compiled.evaluate(bindings));
await measure('evaluateExpression amount * 2 (cached)', 20_000, () => evaluateExpression('amount * 2', bindings));
let n = 0;
await measure('compileExpression of a new source each time', 5_000, () => compileExpression(`$input.amount + ${n++}`));

const params = {
  method: 'POST',
  url: { kind: 'expr', src: '"https://api.example.com/items/" & $steps.fetch.body.id' },
  body: { total: { kind: 'expr', src }, note: 'literal', tags: ['a', 'b'] },
};
const paramsHaveExpressions = hasExpressions(params);
await measure('resolveParams with 2 expressions', 20_000, () =>
  resolveParams(params, bindings, { hasExpressions: paramsHaveExpressions }),
);
const literal = { method: 'GET', url: 'https://api.example.com/items', headers: { accept: 'application/json' } };
await measure('resolveParams without expressions (fast path)', 200_000, () =>
  resolveParams(literal, bindings, { hasExpressions: false }),
);

const big = buildLargeGraph(30);
await measure(`validateWorkflow, ${big.nodes.length} nodes`, 200, () => validateWorkflow(big, fixtureCatalog));
await measure(`compileWorkflow, ${big.nodes.length} nodes`, 200, () =>
  compileWorkflow(big as unknown as WorkflowGraph, fixtureCatalog),
);
