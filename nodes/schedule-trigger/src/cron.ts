/**
 * Checks a cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 with
 * seconds first. Each field is a list of `*`, `?`, values, ranges `a-b` and steps `x/n`;
 * months and weekdays may be names in capitals (JAN, MON); day-of-month accepts `L` and `15W`;
 * day-of-week (0-6, Sunday = 0) accepts `5L` (last Friday) and `1#2` (second Monday).
 * It accepts only what the scheduler (Bree's cron parser) reads correctly: no lower-case names
 * (silently misread), no 7 for Sunday (read as Saturday), no `LW` or `L-3`.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Index of the first name (0 for weekdays SUN=0, 1 for months JAN=1). */
  namesFrom?: number;
  question?: boolean;
}

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day of month', min: 1, max: 31, question: true };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  namesFrom: 1,
};
const DAY_OF_WEEK: FieldSpec = {
  name: 'day of week',
  min: 0,
  max: 6,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  namesFrom: 0,
  question: true,
};

const FIVE = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
const SIX = [SECOND, ...FIVE];

const EXAMPLE = 'e.g. "0 9 * * 1-5" for 09:00 on weekdays, or "*/30 * * * * *" with seconds';

/**
 * Returns what is wrong with a cron expression, or undefined when it is valid.
 *
 * @example
 * cronProblem('0 9 * * MON-FRI') // undefined
 * cronProblem('0 25 * * *')      // 'cron field 2 (hour): 25 is out of range 0-23'
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return `cron is empty; ${EXAMPLE}`;
  if (fields.length !== 5 && fields.length !== 6) {
    return `cron must have 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${fields.length}; ${EXAMPLE}`;
  }
  const specs = fields.length === 5 ? FIVE : SIX;
  for (const [i, field] of fields.entries()) {
    const spec = specs[i] as FieldSpec;
    const problem = fieldProblem(field, spec);
    if (problem) return `cron field ${i + 1} (${spec.name}): ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  const bad = field.match(/[^0-9A-Za-z*?,/#-]/);
  if (bad) return `"${field}" contains "${bad[0]}"; allowed are digits, names, and * , - / ? L W #`;
  if (/[a-z]/.test(field)) return `"${field}" must be written in capitals, e.g. MON-FRI or JAN`;
  for (const part of field.split(',')) {
    if (part === '') return `"${field}" has an empty list entry`;
    const problem = partProblem(part, spec);
    if (problem) return problem;
  }
  return undefined;
}

function partProblem(part: string, spec: FieldSpec): string | undefined {
  if (spec === DAY_OF_MONTH && part === 'L') return undefined;
  if (spec === DAY_OF_MONTH && /^\d+W$/.test(part)) return inRange(Number(part.slice(0, -1)), 1, 31);
  if (spec === DAY_OF_WEEK) {
    const nth = part.match(/^(\w+)#(\d+)$/);
    if (nth)
      return valueProblem(nth[1] as string, spec) ?? inRange(Number(nth[2]), 1, 5, `"#${nth[2]}" (week of the month)`);
    const last = part.match(/^(\w+)L$/);
    if (last) return valueProblem(last[1] as string, spec);
    if (part === 'L') return `"L" alone is not supported in day of week; write e.g. "5L" for the last Friday`;
  }

  const [range, step, extra] = part.split('/');
  if (extra !== undefined) return `"${part}" has more than one "/"`;
  if (step !== undefined && !/^\d+$/.test(step)) return `step "/${step}" must be a whole number`;
  if (step !== undefined && Number(step) === 0) return `step "/0" is not allowed; use 1 or more`;
  if (range === '*') return undefined;
  if (range === '?') return spec.question ? undefined : `"?" is only allowed in day of month and day of week`;
  const bounds = (range as string).split('-');
  if (bounds.length > 2 || bounds.some((b) => b === '')) return `"${part}" is not a value, a range "a-b" or "*"`;
  for (const bound of bounds) {
    const problem = valueProblem(bound, spec);
    if (problem) return problem;
  }
  if (bounds.length === 2 && toNumber(bounds[0] as string, spec) > toNumber(bounds[1] as string, spec)) {
    return `range "${range}" goes backwards; write the smaller value first`;
  }
  return undefined;
}

function toNumber(value: string, spec: FieldSpec): number {
  const index = spec.names?.indexOf(value) ?? -1;
  return index >= 0 ? index + (spec.namesFrom ?? 0) : Number(value);
}

function valueProblem(value: string, spec: FieldSpec): string | undefined {
  if (spec === DAY_OF_WEEK && value === '7') return '7 is not accepted for Sunday; use 0 or SUN';
  if (/^\d+$/.test(value)) return inRange(Number(value), spec.min, spec.max);
  if (spec.names?.includes(value)) return undefined;
  const allowed = spec.names
    ? `a number ${spec.min}-${spec.max} or a name ${spec.names[0]}-${spec.names[spec.names.length - 1]}`
    : spec === DAY_OF_MONTH
      ? `a number 1-31, L (last day) or e.g. 15W (weekday nearest the 15th)`
      : `a number ${spec.min}-${spec.max}`;
  return `"${value}" is not valid here; use ${allowed}`;
}

function inRange(n: number, min: number, max: number, label: string = String(n)): string | undefined {
  return n < min || n > max ? `${label} is out of range ${min}-${max}` : undefined;
}
