import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { sql, type Database, type Kysely } from '@apiq/db';
import type { Workload, WorkloadCheck } from './workloads.ts';

async function post(url: string, check: WorkloadCheck): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(check.request),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Sends each of the workload's checks once and compares the answers with the expected ones.
 * Returns the exact body of the load request's answer, which every answer under load must match.
 *
 * @example
 * const expectBody = await checkWorkload('http://127.0.0.1:3000', WORKLOADS.w1); // '{"a":1,"b":[1,2,3]}'
 * @throws Error naming the workload, the request, the expected and the actual response
 */
export async function checkWorkload(baseUrl: string, w: Workload): Promise<string> {
  const url = `${baseUrl}/webhook/${w.path}`;
  let loadBody: string | undefined;
  for (const check of [w.load, ...w.alsoCheck]) {
    const { status, text } = await post(url, check);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (status !== 200 || !isDeepStrictEqual(parsed, check.response)) {
      throw new Error(
        `workload ${w.id}: POST ${url} with ${JSON.stringify(check.request)} answered ${status} ${text.slice(0, 500)}; expected 200 ${JSON.stringify(check.response)}`,
      );
    }
    loadBody ??= text;
  }
  return loadBody!;
}

/**
 * Waits until no run is queued or running, so one measurement does not inherit the previous one's
 * backlog. Gives up after `timeoutMs` with a note (the figures that follow are then suspect).
 */
export async function waitUntilIdle(
  db: Kysely<Database>,
  note: (line: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from runs where status in ('queued', 'running')`.execute(db);
    const busy = rows[0]?.n ?? 0;
    if (busy === 0) return;
    if (Date.now() > deadline) {
      note(`  note: ${busy} runs still queued or running after ${timeoutMs / 1000} s; measuring anyway`);
      return;
    }
    await delay(100);
  }
}
