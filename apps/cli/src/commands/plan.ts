import { writeFile } from 'node:fs/promises';
import type { WorkflowGraph } from '@apiq/graph';
import { modelConfigFromEnv, plan, type Proposal } from '@apiq/planner';
import { CliError, loadCatalog } from '../context.ts';
import { readJsonFile } from '../read-workflow-file.ts';

export interface PlanCommandOptions {
  json?: boolean;
  out?: string;
  /** A workflow file the prompt edits ("also email me"). */
  edit?: string;
}

function printHuman(p: Proposal): void {
  const out = process.stdout;
  out.write(`${p.planner === 'offline' ? 'Offline planner (no model configured)' : 'Model planner'}\n\n`);
  if (p.question) {
    out.write(`Question: ${p.question}\n`);
    return;
  }
  out.write(`${p.summary}\n\nSteps:\n`);
  p.explanation.forEach((e, i) => out.write(`  ${i + 1}. ${e.nodeId}: ${e.text}\n`));
  if (p.todo.length) {
    out.write('\nFill in before running:\n');
    for (const t of p.todo) out.write(`  - ${t.nodeId}.${t.param}: ${t.hint}\n`);
  }
  const kinds = [...new Set(p.credentials.map((c) => c.kind))];
  if (kinds.length) out.write(`\nConnections needed: ${kinds.join(', ')}\n`);
  if (p.issues.length) {
    out.write('\nStill invalid:\n');
    for (const i of p.issues) out.write(`  ${i.path}: ${i.message}\n`);
  }
  out.write(`\n${JSON.stringify(p.graph, null, 2)}\n`);
}

/**
 * `apiq plan "<prompt>" [--json] [--out flow.json] [--edit flow.json]`: proposes a workflow from a
 * sentence with the configured model (OPENAI_API_KEY / OPENAI_BASE_URL), or the offline planner.
 * Exit 0 with a valid proposal, 2 when the planner asks a question, 1 when the proposal is invalid.
 */
export async function planCommand(prompt: string, opts: PlanCommandOptions): Promise<number> {
  if (!prompt.trim()) throw new CliError('Describe the workflow, e.g. apiq plan "every hour, post to #ops on Slack"');
  const catalog = await loadCatalog();
  const current = opts.edit ? ((await readJsonFile(opts.edit)) as WorkflowGraph) : undefined;
  const model = process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL ? modelConfigFromEnv(process.env) : undefined;
  const proposal = await plan(prompt, { catalog, model, current });
  if (opts.out && proposal.graph) await writeFile(opts.out, `${JSON.stringify(proposal.graph, null, 2)}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(proposal, null, 2)}\n`);
  else printHuman(proposal);
  if (proposal.question) return 2;
  return proposal.issues.length === 0 ? 0 : 1;
}
