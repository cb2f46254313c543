import { writeFile } from 'node:fs/promises';
import {
  activateWorkflow,
  inTransaction,
  saveWorkflow,
  WorkflowConflictError,
  WorkflowInvalidError,
} from '@apiq/runtime';
import { validateWorkflow } from '@apiq/graph';
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
 * validated first, and everything is saved (and activated) in one transaction: if any workflow
 * is invalid or cannot be activated, nothing is imported. A bundle entry whose `id` names an
 * existing workflow becomes a new version of it; anything else becomes a new workflow.
 */
export async function importCommand(file: string, opts: { activate?: boolean }): Promise<number> {
  const data = await readJsonFile(file);
  const entries = isBundle(data)
    ? data.workflows.map((w) => ({
        graph: w.graph,
        active: w.active === true,
        id: typeof w.id === 'string' ? w.id : undefined,
      }))
    : [{ graph: data, active: false, id: undefined }];
  const catalog = await loadCatalog();
  const problems: string[] = [];
  entries.forEach((e, i) => {
    const r = validateWorkflow(e.graph, catalog);
    if (!r.ok)
      problems.push(...r.errors.map((err) => `${isBundle(data) ? `workflows[${i}] ` : ''}${err.path}: ${err.message}`));
  });
  if (problems.length)
    throw new CliError(`${file}: nothing imported, ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  const opened = await openMigratedDatabase();
  try {
    const lines = await inTransaction(opened.db, async (tx) => {
      const out: string[] = [];
      for (const e of entries) {
        const existing =
          e.id && /^[0-9a-f-]{36}$/i.test(e.id)
            ? await tx.selectFrom('workflows').select('id').where('id', '=', e.id).executeTakeFirst()
            : undefined;
        const saved = await saveWorkflow(tx, catalog, e.graph, existing ? { workflowId: existing.id } : {});
        const activate = opts.activate || e.active;
        if (activate) await activateWorkflow(tx, saved.workflowId);
        out.push(`${saved.workflowId}  ${saved.graph.name}  v${saved.version}${activate ? '  (active)' : ''}`);
      }
      return out;
    }).catch((err: unknown) => {
      if (err instanceof WorkflowInvalidError || err instanceof WorkflowConflictError)
        throw new CliError(`${file}: nothing imported: ${err.message}`);
      throw err;
    });
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await opened.close();
  }
}

function isBundle(v: unknown): v is { workflows: { graph: unknown; active?: boolean; id?: unknown }[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { workflows?: unknown }).workflows);
}
