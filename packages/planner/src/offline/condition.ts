/** A json-logic condition read from words, or `true` with a note when the words could not be read. */
export interface ParsedCondition {
  condition: unknown;
  understood: boolean;
  description: string;
}

/** Where fields of the triggering data live, per trigger type (condition `var` paths). */
function dataRoot(triggerType: string): string {
  switch (triggerType) {
    case 'core.webhook_trigger':
      return 'trigger.body';
    case 'stripe.on_event':
      return 'trigger.data.object';
    case 'github.issue_opened':
      return 'trigger.issue';
    case 'github.pull_request_opened':
      return 'trigger.pull_request';
    case 'slack.on_event':
      return 'trigger.event';
    default:
      return 'input';
  }
}

const OPS: Array<[RegExp, string]> = [
  [/^(?:is\s+)?(?:greater than|more than|over|above|exceeds|higher than|bigger than|>)$/, '>'],
  [/^(?:is\s+)?(?:at least|>=)$/, '>='],
  [/^(?:is\s+)?(?:less than|under|below|lower than|smaller than|<)$/, '<'],
  [/^(?:is\s+)?(?:at most|<=)$/, '<='],
  [/^(?:is not|isn't|!=|does not equal|doesn't equal)$/, '!='],
  [/^(?:is|equals?|==|=|is equal to)$/, '=='],
];

const TEXT_FIELD: Record<string, string> = {
  'github.issue_opened': 'title',
  'github.pull_request_opened': 'title',
  'slack.on_event': 'text',
  'stripe.on_event': 'description',
};

function fieldPath(words: string, triggerType = ''): string {
  if (/^(?:it|they|this|that|them|the message|the text)$/i.test(words.trim())) return TEXT_FIELD[triggerType] ?? 'text';
  const cleaned = words
    .toLowerCase()
    .replace(/\b(?:the|its|their|a|an|order|issue|payment|customer|request|event)\b(?=\s+\w)/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return cleaned.length === 0 ? 'value' : cleaned.slice(-2).join('_');
}

function literal(text: string): unknown {
  const t = text.replace(/^["'$€£]|["']$/g, '');
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t);
  if (/^(?:true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  return t;
}

/**
 * Turns phrases such as "the amount is over 100", "issues labelled bug", "the email contains
 * @acme.com" into json-logic over the trigger's data.
 *
 * @example
 * parseCondition('the amount is over 100', 'core.webhook_trigger').condition
 * // { '>': [{ var: 'trigger.body.amount' }, 100] }
 */
export function parseCondition(text: string, triggerType: string, afterTrigger = true): ParsedCondition {
  const t = text.trim().replace(/[.,]$/, '');
  // Right after the trigger the data is the trigger's; after another step it is that step's output.
  const root = afterTrigger ? dataRoot(triggerType) : 'input';
  const label = /\b(?:labell?ed|tagged|with (?:the )?label)\s+["'`]?([\w:. -]+?)["'`]?$/i.exec(t);
  if (label) {
    const name = label[1]!.trim();
    return {
      condition: { some: [{ var: `${root}.labels` }, { '==': [{ var: 'name' }, name] }] },
      understood: true,
      description: `it has the label "${name}"`,
    };
  }
  const contains = /^(?:the\s+)?(.+?)\s+(?:contains|includes|mentions)\s+["']?(.+?)["']?$/i.exec(t);
  if (contains) {
    const path = `${root}.${fieldPath(contains[1]!, afterTrigger ? triggerType : '')}`;
    return {
      condition: { in: [contains[2]!, { var: path }] },
      understood: true,
      description: `${path.split('.').pop()} contains "${contains[2]}"`,
    };
  }
  const cmp =
    /^(?:the\s+)?(.+?)\s+((?:is\s+)?(?:greater than|more than|over|above|exceeds|higher than|bigger than|at least|less than|under|below|lower than|smaller than|at most|not|equal to)|isn't|equals?|is|==|!=|>=|<=|>|<|=)\s+(.+)$/i.exec(
      t,
    );
  if (cmp) {
    const opWords = cmp[2]!.toLowerCase();
    const op = OPS.find(([re]) => re.test(opWords))?.[1];
    // One value only: a number, a word or a quoted text (not the rest of a sentence).
    if (op && /^(?:[$€£]?-?\d+(?:\.\d+)?|["'][^"']+["']|[\w@.-]+)$/.test(cmp[3]!.trim())) {
      const path = `${root}.${fieldPath(cmp[1]!, afterTrigger ? triggerType : '')}`;
      const value = literal(cmp[3]!.trim());
      return {
        condition: { [op]: [{ var: path }, value] },
        understood: true,
        description: `${path.split('.').pop()} ${op} ${JSON.stringify(value)}`,
      };
    }
  }
  return { condition: true, understood: false, description: t };
}
