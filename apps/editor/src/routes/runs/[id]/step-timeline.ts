/** The parts of a step attempt the timeline reads (`runs.get` → `steps[]`). */
export interface AttemptLike {
  stepId: string;
  iteration: string;
  attempt: number;
  status: string;
  startedAt: string;
  durationMs: number | null;
  itemCount: number | null;
}

/** One row of the run's timeline: a step with all its attempts (and loop items). */
export interface TimelineEntry {
  stepId: string;
  /** The step's latest status: the last attempt of each item, the most urgent across items. */
  status: string;
  attempts: number;
  /** Loop items the step ran for (0 outside a for-each). */
  iterations: number;
  startedAt: string;
  durationMs: number | null;
  items: number | null;
}

const URGENCY: Record<string, number> = {
  failed: 7,
  running: 6,
  interrupted: 5,
  waiting: 4,
  succeeded: 3,
  compensated: 3,
  pinned: 2,
  reused: 2,
  skipped: 1,
};

/**
 * Groups step attempts into one entry per step, in the order the steps first started.
 * A step still running after a failed attempt shows `retrying`.
 *
 * @example
 * timeline(run.steps).map((e) => `${e.stepId}: ${e.status}`) // ['trigger: succeeded', 'fetch: failed']
 */
export function timeline(attempts: readonly AttemptLike[]): TimelineEntry[] {
  const byStep = new Map<string, AttemptLike[]>();
  for (const a of attempts) {
    const list = byStep.get(a.stepId) ?? [];
    list.push(a);
    byStep.set(a.stepId, list);
  }
  const entries: TimelineEntry[] = [];
  for (const [stepId, list] of byStep) {
    const latest = new Map<string, AttemptLike>();
    for (const a of list) {
      const seen = latest.get(a.iteration);
      if (!seen || a.attempt >= seen.attempt) latest.set(a.iteration, a);
    }
    let status = 'succeeded';
    let durationMs: number | null = null;
    let items: number | null = null;
    for (const a of latest.values()) {
      const s = a.status === 'running' && a.attempt > 1 ? 'retrying' : a.status;
      if ((URGENCY[s === 'retrying' ? 'running' : s] ?? 0) >= (URGENCY[status] ?? 0)) status = s;
      if (a.durationMs !== null) durationMs = (durationMs ?? 0) + a.durationMs;
      if (a.itemCount !== null) items = (items ?? 0) + a.itemCount;
    }
    const iterations = [...latest.keys()].filter((k) => k !== '').length;
    entries.push({
      stepId,
      status,
      attempts: Math.max(...list.map((a) => a.attempt)),
      iterations,
      startedAt: list.reduce((min, a) => (a.startedAt < min ? a.startedAt : min), list[0]!.startedAt),
      durationMs,
      items,
    });
  }
  return entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
