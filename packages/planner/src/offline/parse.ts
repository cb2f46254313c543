import { parseSchedule } from './schedule.ts';

/** The shape of a sentence: what happens, in order, with branches, loops and waits. */
export type PlanStep =
  | { kind: 'action'; clause: string }
  | { kind: 'wait'; clause: string; durationMs?: number; approval: boolean }
  | { kind: 'if'; conditionText: string; then: PlanStep[]; else: PlanStep[] }
  | { kind: 'loop'; itemsText: string; body: PlanStep[] };

export interface ParsedPrompt {
  /** The words describing what starts the workflow, if the sentence names it. */
  triggerClause?: string;
  /** Whether the sentence opened with "when…", "whenever…" (a trigger is expected). */
  expectsTrigger: boolean;
  steps: PlanStep[];
}

const VERBS = [
  'send',
  'post',
  'create',
  'add',
  'notify',
  'email',
  'e-mail',
  'mail',
  'call',
  'fetch',
  'get',
  'update',
  'wait',
  'respond',
  'reply',
  'return',
  'log',
  'save',
  'store',
  'comment',
  'move',
  'list',
  'summarize',
  'summarise',
  'classify',
  'translate',
  'generate',
  'draft',
  'ask',
  'charge',
  'append',
  'transform',
  'set',
  'compute',
  'calculate',
  'filter',
  'message',
  'ping',
  'alert',
  'open',
  'close',
  'enrich',
  'sync',
  'upsert',
  'look up',
  'lookup',
  'check',
  'stop',
  'fail',
  'let',
  'tell',
  'make',
  'write',
  'run',
  'then',
  'also',
  'file',
  'raise',
  'invite',
  'assign',
  'label',
  'archive',
  'delete',
  'forward',
  'request',
].join('|');

const VERB_AHEAD = String.raw`(?=(?:also\s+)?(?:${VERBS})\b)`;

/** Verbs that end a trigger clause without a comma ("When an issue is opened post to Slack"). */
const TRIGGER_END = String.raw`(?=(?:please\s+)?(?:send|post|create|notify|email|e-mail|call|fetch|wait|respond|reply|summari[sz]e|classify|translate|draft|enrich|ask|move|alert|ping|add)\b)`;

/** Splits a list of steps at "then", ";", sentence ends and "and"/"," before a verb. */
export function splitSteps(text: string): string[] {
  const marked = text
    .replace(/\s*;\s*/g, '\u0000')
    .replace(/\.\s+(?=[A-Za-z])/g, '\u0000')
    .replace(/,?\s*\b(?:and\s+)?(?:then|after that|afterwards|finally|next)\b[,]?\s*/gi, '\u0000')
    .replace(new RegExp(String.raw`,\s*(?:and\s+)?${VERB_AHEAD}`, 'gi'), '\u0000')
    .replace(new RegExp(String.raw`\s+and\s+${VERB_AHEAD}`, 'gi'), '\u0000')
    .replace(/,?\s*\b(otherwise|else|if not)\b/gi, '\u0000$1')
    .replace(/(?:,\s*|\s+and\s+)(?=(?:for each|for every|if)\b)/gi, '\u0000');
  return marked
    .split('\u0000')
    .map((s) => s.trim().replace(/^[,.\s]+|[,.\s]+$/g, ''))
    .filter((s) => s.length > 0);
}

const MANUAL_LEAD =
  /^(?:manually|by hand|on demand|run (?:it )?(?:by hand|manually)|when i (?:click|press) run)\b[:,]?\s*/i;

const TRIGGER_LEAD =
  /^(?:when(?:ever)?|once|as soon as|each time|every time|any time|anytime|on every|on each|on|for every|for each new|after)\s+/i;

function waitStep(segment: string): PlanStep | undefined {
  const m =
    /\bwait(?:\s+for)?\s+(\d+|an?|one|two|three|five|ten|fifteen|thirty)\s+(second|sec|minute|min|hour|day|week)s?\b/i.exec(
      segment,
    );
  if (m) {
    const n = /^(?:an?|one)$/i.test(m[1]!)
      ? 1
      : (({ two: 2, three: 3, five: 5, ten: 10, fifteen: 15, thirty: 30 } as Record<string, number>)[
          m[1]!.toLowerCase()
        ] ?? Number(m[1]));
    const unit = m[2]!.toLowerCase();
    const ms = unit.startsWith('sec')
      ? 1000
      : unit.startsWith('min')
        ? 60_000
        : unit === 'hour'
          ? 3_600_000
          : unit === 'day'
            ? 86_400_000
            : 604_800_000;
    return { kind: 'wait', clause: segment, durationMs: n * ms, approval: false };
  }
  if (
    /\b(?:wait|pause)\b.*\b(?:approv|confirm|sign[- ]?off|review)/i.test(segment) ||
    /\bafter\s+(?:manager\s+)?approval\b/i.test(segment)
  )
    return { kind: 'wait', clause: segment, approval: true };
  return undefined;
}

function parseSegments(segments: string[]): PlanStep[] {
  const steps: PlanStep[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const ifMatch =
      /^(?:only\s+)?if\s+(.+?)(?:,\s*|\s+then\s+)(.+)$/i.exec(seg) ??
      new RegExp(String.raw`^(?:only\s+)?if\s+(.+?)\s+${VERB_AHEAD}(.+)$`, 'i').exec(seg) ??
      /^(?:only\s+)?if\s+(.+)$/i.exec(seg);
    if (ifMatch) {
      const thenSegs: string[] = ifMatch[2] ? [ifMatch[2]] : [];
      const elseSegs: string[] = [];
      let j = i + 1;
      for (; j < segments.length; j++) {
        const s = segments[j]!;
        const other = /^(?:otherwise|else|if not)[,\s]*(.*)$/i.exec(s);
        if (other) {
          elseSegs.push(...(other[1] ? [other[1]] : []), ...segments.slice(j + 1));
          j = segments.length;
          break;
        }
        thenSegs.push(s);
      }
      steps.push({
        kind: 'if',
        conditionText: ifMatch[1]!,
        then: parseSegments(thenSegs),
        else: parseSegments(elseSegs),
      });
      i = j;
      continue;
    }
    const loop =
      /^(?:for each|for every|loop over|iterate over|go through each|go through every)\s+(.+?)(?:,\s*|\s+(?=(?:send|post|create|add|call|fetch|update|email|notify|summari[sz]e|look up|enrich)\b))(.+)$/i.exec(
        seg,
      );
    if (loop) {
      steps.push({ kind: 'loop', itemsText: loop[1]!, body: parseSegments([loop[2]!, ...segments.slice(i + 1)]) });
      break;
    }
    const wait = waitStep(seg);
    if (wait) {
      steps.push(wait);
      const rest = seg.replace(/^.*?\b(?:wait|pause)\b[^,]*,?\s*(?:and\s+|then\s+)?/i, '').trim();
      if (rest && rest !== seg && !waitStep(rest)) steps.push({ kind: 'action', clause: rest });
      continue;
    }
    const other = /^(?:otherwise|else)[,\s]+(.+)$/i.exec(seg);
    steps.push({ kind: 'action', clause: other ? other[1]! : seg });
  }
  return steps;
}

/**
 * Reads a sentence into a trigger clause and a tree of steps.
 *
 * @example
 * parsePrompt('When a new GitHub issue is opened, post to Slack and create a Trello card')
 * // { triggerClause: 'a new GitHub issue is opened', steps: [action 'post to Slack', action 'create a Trello card'] }
 */
export function parsePrompt(prompt: string): ParsedPrompt {
  let text = prompt
    .trim()
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ');
  let triggerClause: string | undefined;
  const expectsTrigger = TRIGGER_LEAD.test(text) && !/^for each\b(?! new)/i.test(text);

  // "Only for issues labelled bug" anywhere: a condition around every step.
  let onlyWhen: string | undefined;
  const only = /[,.]?\s*\bonly\s+(?:for|when|if)\s+([^,.;]+)/i.exec(text);
  if (only) {
    onlyWhen = only[1]!;
    text = (text.slice(0, only.index) + text.slice(only.index + only[0].length)).trim();
  }

  const schedule = parseSchedule(text);
  const lead = TRIGGER_LEAD.exec(text);
  if (
    lead &&
    !(
      schedule && text.toLowerCase().indexOf(schedule.matched) === lead.index + lead[0].length - schedule.matched.length
    )
  ) {
    const rest = text.slice(lead[0].length);
    const end = new RegExp(String.raw`,\s*|:\s*|\s+then\s+|\s+${TRIGGER_END}`, 'i').exec(rest);
    if (end) {
      triggerClause = `${lead[0]}${rest.slice(0, end.index).trim()}`;
      text = rest.slice(end.index + end[0].length);
    } else {
      triggerClause = `${lead[0]}${rest}`;
      text = '';
    }
  } else if (schedule) {
    // "Every Monday at 9am, send…" / "Send … every hour": the schedule words are the trigger.
    const at = text.toLowerCase().indexOf(schedule.matched);
    const timeTail = /^\s*(?:at\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)?|noon|midnight)\b/i;
    let endAt = at + schedule.matched.length;
    const tail = timeTail.exec(text.slice(endAt));
    if (tail) endAt += tail[0].length;
    triggerClause = text.slice(at, endAt);
    text = `${text.slice(0, at)} ${text.slice(endAt)}`
      .replace(/^\s*,\s*|\s+,/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    text = text.replace(/^(?:on|at)\s+/i, '').replace(/\s+(?:on|at)$/i, '');
  } else if (MANUAL_LEAD.test(text)) {
    const m = MANUAL_LEAD.exec(text)!;
    triggerClause = m[0].replace(/[:,]\s*$/, '').trim();
    text = text.slice(m[0].length).trim();
  } else {
    // "Receive a webhook with an order and …", "On a Stripe payment, …"
    const first = splitSteps(text)[0];
    if (first && /\b(?:webhook|receive|incoming|comes in|request arrives)\b/i.test(first)) {
      triggerClause = first;
      text = text.slice(text.indexOf(first) + first.length).replace(/^\s*(?:,|and|then)\s*/i, '');
    }
  }
  let steps = parseSegments(splitSteps(text));
  if (onlyWhen) steps = [{ kind: 'if', conditionText: onlyWhen, then: steps, else: [] }];
  return { ...(triggerClause ? { triggerClause } : {}), expectsTrigger, steps };
}
