/** A schedule found in a sentence: a cron expression and how it was read. */
export interface ParsedSchedule {
  cron: string;
  description: string;
  /** The words that said it, to remove from the rest of the sentence. */
  matched: string;
}

const DAYS: Record<string, number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};
const DAY_NAMES = Object.keys(DAYS).join('|');

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  ten: 10,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
};

function num(text: string): number {
  return NUMBER_WORDS[text] ?? Number(text);
}

/** `9am`, `9:30 pm`, `17:00`, `noon`, `midnight` → [hour, minute]. */
export function parseTime(text: string): [number, number] | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'noon' || t === 'midday') return [12, 0];
  if (t === 'midnight') return [0, 0];
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/.exec(t);
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  const meridiem = m[3]?.replace(/\./g, '');
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return undefined;
  return [hour, minute];
}

const TIME = String.raw`(?:at\s+)?(\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midday|midnight)`;

function at(text: string, fallback: [number, number]): [number, number] {
  const m = new RegExp(
    String.raw`\b(?:at|@)\s+(\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midday|midnight)\b`,
  ).exec(text);
  return (m && parseTime(m[1]!)) || fallback;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Reads schedule phrases: "every 15 minutes", "hourly", "every day at 8:30", "every Monday at
 * 9am", "on weekdays at 6pm", "every month on the 1st", "each morning".
 *
 * @example
 * parseSchedule('every monday at 9am send a report')?.cron // '0 9 * * 1'
 */
export function parseSchedule(sentence: string): ParsedSchedule | undefined {
  const s = sentence.toLowerCase();
  let m: RegExpExecArray | null;

  if (
    (m =
      /\b(?:every|each)\s+(\d+|one|two|three|four|five|six|ten|twelve|fifteen|twenty|thirty)\s+(minute|min|hour|day)s?\b/.exec(
        s,
      ))
  ) {
    const n = num(m[1]!);
    const unit = m[2]!;
    if (unit.startsWith('min') && n >= 1 && n < 60)
      return { cron: n === 1 ? '* * * * *' : `*/${n} * * * *`, description: `every ${n} minutes`, matched: m[0] };
    if (unit === 'hour' && n >= 1 && n < 24)
      return { cron: n === 1 ? '0 * * * *' : `0 */${n} * * *`, description: `every ${n} hours`, matched: m[0] };
    if (unit === 'day' && n >= 1 && n < 32) {
      const [h, mi] = at(s, [9, 0]);
      return { cron: `${mi} ${h} */${n} * *`, description: `every ${n} days at ${pad(h)}:${pad(mi)}`, matched: m[0] };
    }
  }
  if ((m = /\b(?:every|each)\s+minute\b/.exec(s)))
    return { cron: '* * * * *', description: 'every minute', matched: m[0] };
  if ((m = /\b(?:every|each)\s+(?:half\s+hour|30\s+min)\b/.exec(s)))
    return { cron: '*/30 * * * *', description: 'every 30 minutes', matched: m[0] };
  if ((m = /\b(?:every|each)\s+hour\b|\bhourly\b|\bonce an hour\b/.exec(s)))
    return { cron: '0 * * * *', description: 'every hour, on the hour', matched: m[0] };

  const dayList = new RegExp(String.raw`\b(?:every|each|on)\s+((?:(?:${DAY_NAMES})s?(?:\s*,\s*|\s+and\s+)?)+)`).exec(s);
  if (dayList) {
    const days = [...dayList[1]!.matchAll(new RegExp(DAY_NAMES, 'g'))].map((d) => DAYS[d[0]]!);
    const [h, mi] = at(s, [9, 0]);
    const unique = [...new Set(days)].sort((a, b) => a - b);
    const names = unique.map((d) => Object.keys(DAYS)[d]);
    return {
      cron: `${mi} ${h} * * ${unique.join(',')}`,
      description: `every ${names.join(', ')} at ${pad(h)}:${pad(mi)}`,
      matched: dayList[0],
    };
  }
  if ((m = /\b(?:every|each|on)\s+(?:weekday|work\s*day|business\s+day)s?\b/.exec(s))) {
    const [h, mi] = at(s, [9, 0]);
    return { cron: `${mi} ${h} * * 1-5`, description: `weekdays at ${pad(h)}:${pad(mi)}`, matched: m[0] };
  }
  if ((m = /\b(?:every|each)\s+weekend\b|\bon\s+weekends\b/.exec(s))) {
    const [h, mi] = at(s, [10, 0]);
    return { cron: `${mi} ${h} * * 0,6`, description: `weekends at ${pad(h)}:${pad(mi)}`, matched: m[0] };
  }
  if ((m = /\b(?:every|each)\s+(morning|evening|night|afternoon)\b|\bnightly\b/.exec(s))) {
    const part = m[1] ?? 'night';
    const fallback: Record<string, [number, number]> = {
      morning: [9, 0],
      afternoon: [14, 0],
      evening: [18, 0],
      night: [22, 0],
    };
    const [h, mi] = at(s, fallback[part]!);
    return { cron: `${mi} ${h} * * *`, description: `every day at ${pad(h)}:${pad(mi)}`, matched: m[0] };
  }
  if ((m = /\b(?:every|each)\s+(?:day|24\s+hours)\b|\bdaily\b|\bonce a day\b/.exec(s))) {
    const [h, mi] = at(s, [9, 0]);
    return { cron: `${mi} ${h} * * *`, description: `every day at ${pad(h)}:${pad(mi)}`, matched: m[0] };
  }
  if ((m = /\b(?:every|each)\s+week\b|\bweekly\b|\bonce a week\b/.exec(s))) {
    const [h, mi] = at(s, [9, 0]);
    return { cron: `${mi} ${h} * * 1`, description: `every Monday at ${pad(h)}:${pad(mi)}`, matched: m[0] };
  }
  if ((m = /\b(?:(?:every|each)\s+month|monthly)(?:\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?)?\b/.exec(s))) {
    const day = Math.min(28, Math.max(1, Number(m[1] ?? 1)));
    const [h, mi] = at(s, [9, 0]);
    return {
      cron: `${mi} ${h} ${day} * *`,
      description: `on day ${day} of every month at ${pad(h)}:${pad(mi)}`,
      matched: m[0],
    };
  }
  if ((m = new RegExp(String.raw`\b${TIME}\s+(?:every day|daily|each day)\b`).exec(s))) {
    const t = parseTime(m[1]!);
    if (t)
      return { cron: `${t[1]} ${t[0]} * * *`, description: `every day at ${pad(t[0])}:${pad(t[1])}`, matched: m[0] };
  }
  return undefined;
}
