import type { StepRecordLike } from './run-status.ts';

/** One message of a run's event stream (`/api/runs/<id>/events`), as the canvas uses it. */
export type RunUpdate =
  | { kind: 'snapshot'; status: string; steps: StepRecordLike[] }
  | { kind: 'step'; record: StepRecordLike }
  | { kind: 'run'; status: string }
  | { kind: 'finished'; status: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statusOf(value: Record<string, unknown>): string | undefined {
  if (typeof value.status === 'string') return value.status;
  if (isRecord(value.run) && typeof value.run.status === 'string') return value.run.status;
  return undefined;
}

/**
 * Reads one server-sent event: `snapshot` (the run with its steps), `step` (one step attempt
 * changed), `run` (the run's status changed) and `finished`. Returns undefined for anything else.
 *
 * @example
 * source.addEventListener('step', (e) => apply(parseRunEvent('step', e.data)));
 */
export function parseRunEvent(type: string, data: string): RunUpdate | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  switch (type) {
    case 'snapshot': {
      const run = isRecord(value.run) ? value.run : value;
      const steps = Array.isArray(run.steps) ? run.steps : Array.isArray(value.steps) ? value.steps : [];
      return {
        kind: 'snapshot',
        status: statusOf(run) ?? 'queued',
        steps: steps.filter(isRecord) as unknown as StepRecordLike[],
      };
    }
    case 'step': {
      const record = isRecord(value.step) ? value.step : value;
      return typeof record.status === 'string'
        ? { kind: 'step', record: record as unknown as StepRecordLike }
        : undefined;
    }
    case 'run':
    case 'finished': {
      const status = statusOf(value);
      return status === undefined ? undefined : { kind: type, status };
    }
    default:
      return undefined;
  }
}

export const RUN_EVENT_TYPES = ['snapshot', 'step', 'run', 'finished'] as const;

/**
 * Follows a run's event stream in the browser; `onupdate` gets every update in order. Returns
 * a function that stops following. The stream ends after `finished`.
 */
export function followRun(runId: string, onupdate: (update: RunUpdate) => void, onlost: () => void): () => void {
  const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
  let done = false;
  const stop = () => {
    done = true;
    source.close();
  };
  for (const type of RUN_EVENT_TYPES) {
    source.addEventListener(type, (event) => {
      const update = parseRunEvent(type, (event as MessageEvent<string>).data);
      if (!update) return;
      onupdate(update);
      if (update.kind === 'finished') stop();
    });
  }
  source.onerror = () => {
    // EventSource reconnects by itself while the server is reachable; a closed stream means lost.
    if (!done && source.readyState === EventSource.CLOSED) {
      stop();
      onlost();
    }
  };
  return stop;
}
