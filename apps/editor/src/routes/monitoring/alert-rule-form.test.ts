import { describe, expect, it } from 'vitest';
import {
  checkRuleForm,
  describeChannels,
  describeCondition,
  emptyRuleForm,
  formToInput,
  issueField,
  ruleToForm,
} from './alert-rule-form.ts';

describe('alert rule form', () => {
  it('turns the form into the API input, dropping what the chosen condition does not use', () => {
    const form = {
      ...emptyRuleForm(),
      name: '  Orders slow ',
      workflowId: 'wf-1',
      kind: 'duration_over' as const,
      seconds: 2.5,
      channels: [
        { type: 'slack' as const, target: ' C0ALERTS ', connectionId: 'conn-1' },
        { type: 'webhook' as const, target: 'https://hooks.example.com/x', connectionId: 'ignored' },
      ],
      errorWorkflowId: 'wf-2',
    };
    expect(formToInput(form)).toEqual({
      name: 'Orders slow',
      workflowId: 'wf-1',
      condition: { kind: 'duration_over', ms: 2500 },
      channels: [
        { type: 'slack', target: 'C0ALERTS', connectionId: 'conn-1' },
        { type: 'webhook', target: 'https://hooks.example.com/x' },
      ],
      errorWorkflowId: 'wf-2',
    });
    // Without a workflow there is no error workflow to set.
    expect(formToInput({ ...form, workflowId: '' }).errorWorkflowId).toBeNull();
  });

  it('round-trips a stored rule through the form', () => {
    const rule = {
      name: 'Too many failures',
      workflowId: null,
      condition: { kind: 'failures_in_window' as const, count: 4, minutes: 15 },
      channels: [{ type: 'email' as const, target: 'ops@example.com' }],
      errorWorkflowId: null,
    };
    expect(formToInput(ruleToForm(rule))).toEqual(rule);
  });

  it('catches an empty name and malformed targets before asking the server', () => {
    const form = {
      ...emptyRuleForm(),
      channels: [
        { type: 'email' as const, target: 'not-an-email', connectionId: '' },
        { type: 'webhook' as const, target: 'hooks.example.com', connectionId: '' },
        { type: 'email' as const, target: 'ops@example.com', connectionId: '' },
      ],
    };
    expect(checkRuleForm(form)).toEqual({
      name: 'name must not be empty',
      'channels.0.target': 'target must be an email address',
      'channels.1.target': 'target must be a URL such as https://…',
    });
    expect(checkRuleForm({ ...form, name: 'Ok', channels: [] })).toEqual({});
  });

  it('maps located server issues onto form fields', () => {
    expect(issueField('input.condition.minutes')).toBe('minutes');
    expect(issueField('input.condition.ms')).toBe('seconds');
    expect(issueField('input.channels.1.target')).toBe('channels.1.target');
    expect(issueField('input.name')).toBe('name');
  });

  it('puts conditions and channels into words', () => {
    expect(describeCondition({ kind: 'failures_in_window', count: 3, minutes: 10 })).toBe(
      '3 or more failed runs within 10 min',
    );
    expect(describeCondition({ kind: 'duration_over', ms: 1500 })).toBe('A run took longer than 1.5 s');
    expect(describeCondition({ kind: 'connection_down', connectionId: 'c1' }, () => 'Stripe')).toBe(
      'Connection Stripe is down',
    );
    expect(
      describeChannels([
        { type: 'email', target: 'ops@example.com' },
        { type: 'webhook', target: 'https://hooks.example.com/a?token=x' },
      ]),
    ).toBe('Email ops@example.com, Webhook hooks.example.com');
    expect(describeChannels([])).toBe('History only');
  });
});
