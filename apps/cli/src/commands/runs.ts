import { getRun, listStepAttempts, pauseRun, requestCancel, resumeRun, retryRun } from '@apiq/runtime';
import { CliError, openMigratedDatabase } from '../context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkId(id: string): string {
  if (!UUID.test(id)) throw new CliError(`"${id}" is not a run id (expected a UUID such as 3f2a…-…)`, 2);
  return id;
}

/** `apiq runs list`: newest runs first. */
export async function runsListCommand(opts: {
  workflow?: string;
  status?: string;
  limit?: string;
  json?: boolean;
}): Promise<number> {
  const limit = Number(opts.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new CliError('--limit must be a whole number from 1 to 1000', 2);
  const opened = await openMigratedDatabase();
  try {
    let q = opened.db
      .selectFrom('runs as r')
      .innerJoin('workflows as w', 'w.id', 'r.workflow_id')
      .select(['r.id', 'w.name', 'r.status', 'r.trigger_kind', 'r.created_at', 'r.started_at', 'r.finished_at'])
      .orderBy('r.created_at', 'desc')
      .limit(limit);
    if (opts.status) q = q.where('r.status', '=', opts.status as never);
    if (opts.workflow)
      q = q.where((eb) => eb.or([eb('w.name', '=', opts.workflow!), eb(eb.cast('w.id', 'text'), '=', opts.workflow!)]));
    const rows = await q.execute();
    if (opts.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return 0;
    }
    if (rows.length === 0) process.stdout.write('no runs\n');
    for (const r of rows) {
      const ms =
        r.started_at && r.finished_at
          ? `${new Date(r.finished_at).getTime() - new Date(r.started_at).getTime()} ms`
          : '';
      process.stdout.write(
        `${r.id}  ${r.status.padEnd(9)} ${r.trigger_kind.padEnd(8)} ${new Date(r.created_at).toISOString()}  ${ms.padStart(8)}  ${r.name}\n`,
      );
    }
    return 0;
  } finally {
    await opened.close();
  }
}

/** `apiq runs show <id>`: the run and every step attempt, as JSON. */
export async function runsShowCommand(id: string): Promise<number> {
  const opened = await openMigratedDatabase();
  try {
    const run = await getRun(opened.db, checkId(id));
    if (!run) throw new CliError(`no run ${id}`);
    process.stdout.write(JSON.stringify({ ...run, steps: await listStepAttempts(opened.db, id) }, null, 2) + '\n');
    return 0;
  } finally {
    await opened.close();
  }
}

const ACTIONS = {
  cancel: {
    run: async (db: Parameters<typeof requestCancel>[0], id: string) => Boolean(await requestCancel(db, id)),
    done: 'cancel requested',
    refused: 'only queued, waiting or running runs can be cancelled',
  },
  pause: {
    run: pauseRun,
    done: 'paused (a running run stops before its next step)',
    refused: 'only queued, waiting or running runs that are not paused can be paused',
  },
  resume: { run: resumeRun, done: 'resumed', refused: 'only paused runs can be resumed' },
  retry: {
    run: retryRun,
    done: 'queued again; it continues from the failed step',
    refused: 'only failed, dead or cancelled runs can be retried',
  },
} as const;

/** `apiq runs cancel|pause|resume|retry <id>`. */
export async function runsActionCommand(action: keyof typeof ACTIONS, id: string): Promise<number> {
  const opened = await openMigratedDatabase();
  try {
    const before = await getRun(opened.db, checkId(id));
    if (!before) throw new CliError(`no run ${id}`);
    const ok = await ACTIONS[action].run(opened.db, id);
    if (!ok) throw new CliError(`run ${id} is ${before.status}: ${ACTIONS[action].refused}`);
    process.stdout.write(`run ${id}: ${ACTIONS[action].done}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}
