/** ISO text for a timestamp column (null stays null). */
export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** Milliseconds between two timestamps, or null when either is missing. */
export function durationMs(from: Date | string | null, to: Date | string | null): number | null {
  if (!from || !to) return null;
  return new Date(to).getTime() - new Date(from).getTime();
}

/** How many items a step produced: a list's length, 0 for null, else 1. */
export function itemCount(output: unknown): number {
  if (output === null || output === undefined) return 0;
  return Array.isArray(output) ? output.length : 1;
}
