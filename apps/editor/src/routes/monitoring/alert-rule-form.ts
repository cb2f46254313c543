/** The alert rule editor's model: form state in, the API's input out, and rules put into words. */

export type ConditionKind = 'run_failed' | 'failures_in_window' | 'duration_over' | 'connection_down';
export type ChannelType = 'email' | 'slack' | 'webhook';

export type Condition =
  | { kind: 'run_failed' }
  | { kind: 'failures_in_window'; count: number; minutes: number }
  | { kind: 'duration_over'; ms: number }
  | { kind: 'connection_down'; connectionId: string };

export interface Channel {
  type: ChannelType;
  target: string;
  connectionId?: string;
}

export interface RuleInput {
  name: string;
  workflowId: string | null;
  condition: Condition;
  channels: Channel[];
  errorWorkflowId: string | null;
}

/** What the form edits: plain strings and numbers, one field per input. */
export interface RuleForm {
  name: string;
  /** '' = every workflow of the workspace. */
  workflowId: string;
  kind: ConditionKind;
  count: number;
  minutes: number;
  seconds: number;
  connectionId: string;
  channels: { type: ChannelType; target: string; connectionId: string }[];
  errorWorkflowId: string;
}

export const CONDITION_LABELS: Record<ConditionKind, string> = {
  run_failed: 'A run fails',
  failures_in_window: 'Several runs fail within minutes',
  duration_over: 'A run takes too long',
  connection_down: 'A connection is down',
};

export const CHANNEL_LABELS: Record<ChannelType, string> = {
  email: 'Email',
  slack: 'Slack',
  webhook: 'Webhook',
};

export const CHANNEL_PLACEHOLDERS: Record<ChannelType, string> = {
  email: 'ops@example.com',
  slack: 'https://hooks.slack.com/services/… or a channel id (C0123ABCD)',
  webhook: 'https://example.com/apiq-alerts',
};

export function emptyRuleForm(): RuleForm {
  return {
    name: '',
    workflowId: '',
    kind: 'run_failed',
    count: 3,
    minutes: 10,
    seconds: 60,
    connectionId: '',
    channels: [{ type: 'email', target: '', connectionId: '' }],
    errorWorkflowId: '',
  };
}

/** The form for an existing rule. */
export function ruleToForm(rule: {
  name: string;
  workflowId: string | null;
  condition: Condition;
  channels: Channel[];
  errorWorkflowId: string | null;
}): RuleForm {
  const form = emptyRuleForm();
  const c = rule.condition;
  return {
    ...form,
    name: rule.name,
    workflowId: rule.workflowId ?? '',
    kind: c.kind,
    count: c.kind === 'failures_in_window' ? c.count : form.count,
    minutes: c.kind === 'failures_in_window' ? c.minutes : form.minutes,
    seconds: c.kind === 'duration_over' ? c.ms / 1000 : form.seconds,
    connectionId: c.kind === 'connection_down' ? c.connectionId : '',
    channels: rule.channels.map((ch) => ({ type: ch.type, target: ch.target, connectionId: ch.connectionId ?? '' })),
    errorWorkflowId: rule.errorWorkflowId ?? '',
  };
}

/**
 * The API input for a form. Checks nothing the server checks too; the server's issues come back
 * located (`input.channels.0.target`) and `issueField` maps them onto the form.
 *
 * @example
 * formToInput({ ...emptyRuleForm(), name: 'Orders failed', channels: [{ type: 'email', target: 'ops@example.com', connectionId: '' }] })
 * // → { name: 'Orders failed', workflowId: null, condition: { kind: 'run_failed' }, channels: [{ type: 'email', target: 'ops@example.com' }], errorWorkflowId: null }
 */
export function formToInput(form: RuleForm): RuleInput {
  const condition: Condition =
    form.kind === 'failures_in_window'
      ? { kind: form.kind, count: Number(form.count), minutes: Number(form.minutes) }
      : form.kind === 'duration_over'
        ? { kind: form.kind, ms: Math.round(Number(form.seconds) * 1000) }
        : form.kind === 'connection_down'
          ? { kind: form.kind, connectionId: form.connectionId }
          : { kind: 'run_failed' };
  return {
    name: form.name.trim(),
    workflowId: form.workflowId || null,
    condition,
    channels: form.channels.map((c) => ({
      type: c.type,
      target: c.target.trim(),
      ...(c.type === 'slack' && c.connectionId ? { connectionId: c.connectionId } : {}),
    })),
    errorWorkflowId: form.workflowId && form.errorWorkflowId ? form.errorWorkflowId : null,
  };
}

/**
 * Mistakes the form can see without asking the server (the server checks everything again):
 * field → message, keyed like `issueField`.
 *
 * @example
 * checkRuleForm({ ...emptyRuleForm(), name: '' }) // → { name: 'name must not be empty', 'channels.0.target': 'target must be an email address' }
 */
export function checkRuleForm(form: RuleForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = 'name must not be empty';
  if (form.kind === 'connection_down' && !form.connectionId) errors.connectionId = 'choose the connection to watch';
  form.channels.forEach((c, i) => {
    const target = c.target.trim();
    const key = `channels.${i}.target`;
    if (c.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(target))
      errors[key] = 'target must be an email address';
    if (c.type === 'webhook' && !/^https?:\/\/\S+$/.test(target))
      errors[key] = 'target must be a URL such as https://…';
    if (c.type === 'slack' && !target) errors[key] = 'target must be a Slack incoming-webhook URL or a channel';
  });
  return errors;
}

/** The field an API issue path points at: `input.condition.minutes` → `minutes`, `input.channels.1.target` → `channels.1.target`. */
export function issueField(path: string): string {
  const p = path.replace(/^input\./, '');
  if (p === 'condition.ms') return 'seconds';
  if (p.startsWith('condition.')) return p.slice('condition.'.length);
  return p;
}

/**
 * A rule's condition in words.
 *
 * @example
 * describeCondition({ kind: 'failures_in_window', count: 3, minutes: 10 }) // → '3 or more failed runs within 10 min'
 */
export function describeCondition(c: Condition, connectionName?: (id: string) => string | undefined): string {
  switch (c.kind) {
    case 'run_failed':
      return 'The latest run failed';
    case 'failures_in_window':
      return `${c.count} or more failed runs within ${c.minutes} min`;
    case 'duration_over':
      return `A run took longer than ${c.ms >= 1000 ? `${c.ms / 1000} s` : `${c.ms} ms`}`;
    case 'connection_down':
      return `Connection ${connectionName?.(c.connectionId) ?? c.connectionId} is down`;
  }
}

/** Channels as a short list: "Email ops@example.com, Slack C0123". */
export function describeChannels(channels: Channel[]): string {
  if (channels.length === 0) return 'History only';
  return channels.map((c) => `${CHANNEL_LABELS[c.type]} ${shorten(c.target)}`).join(', ');
}

function shorten(target: string): string {
  try {
    const url = new URL(target);
    return url.host;
  } catch {
    return target;
  }
}
