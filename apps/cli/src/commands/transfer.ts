import { writeFile } from 'node:fs/promises';
import { activateWorkflow, saveWorkflow, WorkflowInvalidError } from '@apiq/runtime';
import { CliError, loadCatalog, openMigratedDatabase } from '../context.ts';
import { readJsonFile } from '../read-workflow-file.ts';

/** `apiq export`: the newest version of every workflow (or one), as a bundle other instances import. */
export async function exportCommand(opts: { workflow?: string; out?: string }): Promise<number> {
  const opened = await openMigratedDatabase();
  try {
    let q = opened.db
      .selectFrom('workflows as w')
      .innerJoin('workflow_versions as v', 'v.id', 'w.current_version_id')
      .select(['w.id', 'w.name', 'w.active', 'v.graph', 'v.version']);
    if (opts.workflow)
      q = q.where((eb) => eb.or([eb('w.name', '=', opts.workflow!), eb(eb.cast('w.id', 'text'), '=', opts.workflow!)]));
    const rows = await q.orderBy('w.created_at').execute();
    if (opts.workflow && rows.length === 0) throw new CliError(`no workflow named or with id "${opts.workflow}"`);
    const bundle = {
      apiq: 1,
      exportedAt: new Date().toISOString(),
      workflows: rows.map((r) => ({ id: r.id, active: r.active, version: r.version, graph: r.graph })),
    };
    const text = JSON.stringify(bundle, null, 2) + '\n';
    if (opts.out) {
      await writeFile(opts.out, text);
      process.stderr.write(`exported ${rows.length} workflow(s) to ${opts.out}\n`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    await opened.close();
  }
}

/**
 * `apiq import file`: accepts an export bundle or a single workflow graph. Every workflow is
 * validated first; if any is invalid nothing is imported.
 */
export async function importCommand(file: string, opts: { activate?: boolean }): Promise<number> {
  const data = await readJsonFile(file);
  const graphs = isBundle(data)
    ? data.workflows.map((w) => ({ graph: w.graph, active: w.active === true }))
    : [{ graph: data, active: false }];
  const catalog = await loadCatalog();
  const { validateWorkflow } = await import('@apiq/graph');
  const problems: string[] = [];
  graphs.forEach((g, i) => {
    const r = validateWorkflow(g.graph, catalog);
    if (!r.ok) problems.push(...r.errors.map((e) => `workflows[${i}] ${e.path}: ${e.message}`));
  });
  if (problems.length)
    throw new CliError(`${file}: nothing imported, ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  const opened = await openMigratedDatabase();
  try {
    for (const g of graphs) {
      const saved = await saveWorkflow(opened.db, catalog, g.graph).catch((err: unknown) => {
        if (err instanceof WorkflowInvalidError) throw new CliError(err.message);
        throw err;
      });
      if (opts.activate || g.active) await activateWorkflow(opened.db, saved.workflowId);
      process.stdout.write(
        `${saved.workflowId}  ${saved.graph.name}${opts.activate || g.active ? '  (active)' : ''}\n`,
      );
    }
    return 0;
  } finally {
    await opened.close();
  }
}

function isBundle(v: unknown): v is { workflows: { graph: unknown; active?: boolean }[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { workflows?: unknown }).workflows);
}
