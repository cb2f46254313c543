const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'long' });

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

const toMs = (date: Date | string | number): number =>
  date instanceof Date ? date.getTime() : typeof date === 'number' ? date : Date.parse(date);

/**
 * "just now", "5 minutes ago", "in 2 hours", "yesterday".
 *
 * @example
 * formatRelativeTime(run.createdAt)            // '3 minutes ago'
 * formatRelativeTime(Date.now() + 7_200_000)   // 'in 2 hours'
 */
export function formatRelativeTime(date: Date | string | number, now: number = Date.now()): string {
  const ms = toMs(date);
  if (Number.isNaN(ms)) return '—';
  let value = (ms - now) / 1000;
  if (Math.abs(value) < 10) return 'just now';
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

/**
 * A duration for people: "120 ms", "3.4 s", "2 min 05 s", "1 h 12 min".
 *
 * @example
 * formatDuration(3400) // '3.4 s'
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/**
 * A full local date and time, for tooltips and headers: "Nov 26, 2026, 14:03:12".
 *
 * @example
 * formatDateTime('2026-11-26T14:03:12Z')
 */
export function formatDateTime(date: Date | string | number): string {
  const ms = toMs(date);
  if (Number.isNaN(ms)) return '—';
  return new Date(ms).toLocaleString('en', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}
