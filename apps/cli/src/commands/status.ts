import { checkReadiness, type ReadinessReport } from '@apiq/runtime';
import { CliError, openMigratedDatabase } from '../context.ts';

/**
 * `apiq status [--json] [--url <base>]`: the readiness report (database, queue lag, executors,
 * scheduler) of the configured database, or of a running instance's `/api/health/ready`.
 * Exit code 0 when everything is ok, 1 when degraded or unavailable.
 *
 * @example
 * apiq status --url http://localhost:3000
 */
export async function statusCommand(opts: { json?: boolean; url?: string }): Promise<number> {
  const report = opts.url ? await fetchReport(opts.url) : await localReport();
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.status === 'ok' ? 0 : 1;
}

async function localReport(): Promise<ReadinessReport> {
  const opened = await openMigratedDatabase();
  try {
    return await checkReadiness(opened.db);
  } finally {
    await opened.close();
  }
}

async function fetchReport(base: string): Promise<ReadinessReport> {
  let url: URL;
  try {
    url = new URL('/api/health/ready', base);
  } catch {
    throw new CliError(
      `--url ${JSON.stringify(base)} is not a URL; give the instance's address, e.g. http://localhost:3000`,
    );
  }
  // The operator's own instance (usually on localhost), not a workflow-given host: plain fetch.
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
    throw new CliError(`could not reach ${url.href}: ${err.cause instanceof Error ? err.cause.message : err.message}`);
  });
  const body = (await res.json().catch(() => undefined)) as ReadinessReport | undefined;
  if (!body || typeof body !== 'object' || !('checks' in body))
    throw new CliError(`${url.href} answered ${res.status} without a readiness report; is it an APIQ instance?`);
  return body;
}

/** The report as aligned lines a person reads at a glance. */
export function formatReport(r: ReadinessReport): string {
  const c = r.checks;
  const rows: [string, string, string][] = [
    ['database', c.database.status, c.database.error ?? `${c.database.latencyMs ?? '?'} ms`],
  ];
  if (c.queue)
    rows.push([
      'queue',
      c.queue.status,
      `${c.queue.depth} waiting, oldest ${c.queue.lagSeconds} s (limit ${c.queue.maxLagSeconds} s)`,
    ]);
  if (c.executors)
    rows.push([
      'executors',
      c.executors.status,
      `${c.executors.alive} alive` +
        (c.executors.lost.length
          ? `; lost: ${c.executors.lost.map((l) => `${l.id} (last seen ${l.lastHeartbeatAt})`).join(', ')}`
          : ''),
    ]);
  if (c.scheduler)
    rows.push([
      'scheduler',
      c.scheduler.status,
      `${c.scheduler.activeSchedules} active schedules, ${c.scheduler.schedulersAlive} schedulers` +
        (c.scheduler.lastTickAt ? `, last tick ${c.scheduler.lastTickAt}` : ''),
    ]);
  const lines = rows.map(([name, status, detail]) => `  ${name.padEnd(10)} ${status.padEnd(9)} ${detail}`);
  return `APIQ is ${r.status} (checked ${r.checkedAt})\n${lines.join('\n')}\n`;
}
