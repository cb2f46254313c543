import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import { createLogger, type Log } from '../log.ts';
import type { AlertChannel } from './alert-rule-schema.ts';
import { activeConditions, describeFiring, type RuleRow } from './conditions.ts';
import { deliverAlert, type Delivery, type DeliveryDeps } from './deliver-alert.ts';

export interface AlertEvaluatorOptions extends DeliveryDeps {
  log?: Log;
  /** How often rules are evaluated. Default `APIQ_ALERTS_EVERY_MS` or 30 s. */
  everyMs?: number;
  /** Links in messages: `APIQ_PUBLIC_URL`, else http://localhost:$PORT. */
  publicUrl?: string;
}

export interface EvaluationResult {
  fired: { ruleId: string; subject: string; muted: boolean; deliveries: Delivery[] }[];
  resolved: number;
}

/**
 * Evaluates every alert rule periodically: a condition that starts to hold fires once (an event
 * row, then delivery to the rule's channels), and stays quiet until it stops holding (the event is
 * resolved); the next time it holds fires again. A partial unique index on open events makes
 * "once" hold across processes; an advisory lock keeps the work to one evaluator at a time.
 *
 * @example
 * const alerts = new AlertEvaluator({ db, fetch: createSafeFetch(), mailer });
 * alerts.start();
 * await alerts.evaluate(); // → { fired: [{ ruleId, subject, muted: false, deliveries: [...] }], resolved: 0 }
 */
export class AlertEvaluator {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private readonly log: Log;

  constructor(private readonly o: AlertEvaluatorOptions) {
    this.log = o.log ?? createLogger({ component: 'alerts' });
  }

  start(): void {
    const every = this.o.everyMs ?? Number(process.env.APIQ_ALERTS_EVERY_MS ?? 30_000);
    this.timer = setInterval(() => void this.evaluate(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running.catch(() => {});
  }

  /** Evaluates all rules now (calls are queued, never overlapping in this process). */
  evaluate(): Promise<EvaluationResult> {
    const next = this.running.catch(() => {}).then(() => this.evaluateOnce());
    this.running = next;
    return next.catch((err: Error) => {
      this.log.error('alert evaluation failed', { error: err.message });
      return { fired: [], resolved: 0 };
    });
  }

  private async evaluateOnce(): Promise<EvaluationResult> {
    const decided = await this.o.db.transaction().execute(async (tx) => {
      const lock = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(hashtext('apiq-alerts')) as locked`.execute(tx);
      if (!lock.rows[0]?.locked) return undefined;
      return this.decide(tx);
    });
    if (!decided) return { fired: [], resolved: 0 };
    const fired: EvaluationResult['fired'] = [];
    // Delivery happens after the events are committed: a crash here loses a message, never
    // sends one twice for the same condition.
    for (const f of decided.firings) {
      const deliveries = f.muted
        ? []
        : await Promise.all(f.channels.map((c) => deliverAlert(this.o, f.rule.workspace_id, c, f.message)));
      await this.o.db
        .updateTable('alert_events')
        .set({ deliveries: JSON.stringify(deliveries) })
        .where('id', '=', f.eventId)
        .execute();
      for (const d of deliveries.filter((x) => !x.ok))
        this.log.warn('alert delivery failed', {
          ruleId: f.rule.id,
          eventId: f.eventId,
          channel: d.type,
          error: d.error,
        });
      this.log.info('alert fired', {
        ruleId: f.rule.id,
        eventId: f.eventId,
        subject: f.subject,
        muted: f.muted,
        delivered: deliveries.filter((x) => x.ok).length,
      });
      fired.push({ ruleId: f.rule.id, subject: f.subject, muted: f.muted, deliveries });
    }
    return { fired, resolved: decided.resolved };
  }

  private async decide(tx: Kysely<Database>) {
    const rules = await tx
      .selectFrom('alert_rules')
      .select(['id', 'workspace_id', 'workflow_id', 'name', 'kind', 'config', 'channels', 'muted_until'])
      .orderBy('created_at')
      .execute();
    const open = await tx
      .selectFrom('alert_events')
      .select(['id', 'rule_id', 'subject'])
      .where('resolved_at', 'is', null)
      .execute();
    const openByRule = new Map<string, Map<string, number>>();
    for (const e of open) {
      const m = openByRule.get(e.rule_id) ?? new Map<string, number>();
      m.set(e.subject, e.id);
      openByRule.set(e.rule_id, m);
    }
    const firings: {
      rule: RuleRow;
      subject: string;
      eventId: number;
      muted: boolean;
      channels: AlertChannel[];
      message: { subject: string; text: string; payload: Record<string, unknown> };
    }[] = [];
    let resolved = 0;
    for (const rule of rules) {
      const active = await activeConditions(tx, rule);
      const openEvents = openByRule.get(rule.id) ?? new Map<string, number>();
      for (const [subject, eventId] of openEvents) {
        if (active.has(subject)) continue;
        await tx.updateTable('alert_events').set({ resolved_at: new Date() }).where('id', '=', eventId).execute();
        resolved++;
      }
      const muted = rule.muted_until !== null && new Date(rule.muted_until).getTime() > Date.now();
      for (const [subject, details] of active) {
        if (openEvents.has(subject)) continue;
        const inserted = await sql<{ id: number }>`
          insert into alert_events (rule_id, workspace_id, subject, details)
          values (${rule.id}, ${rule.workspace_id}, ${subject}, ${JSON.stringify({ summary: describeFiring(rule, details), ...details, ...(muted ? { muted: true } : {}) })}::jsonb)
          on conflict (rule_id, subject) where resolved_at is null do nothing
          returning id`.execute(tx);
        const eventId = inserted.rows[0]?.id;
        if (eventId === undefined) continue;
        firings.push({
          rule,
          subject,
          eventId: Number(eventId),
          muted,
          channels: rule.channels as AlertChannel[],
          message: this.message(rule, Number(eventId), details),
        });
      }
    }
    return { firings, resolved };
  }

  private message(rule: RuleRow, eventId: number, details: Record<string, unknown>) {
    const line = describeFiring(rule, details);
    const base = (
      this.o.publicUrl ??
      process.env.APIQ_PUBLIC_URL ??
      `http://localhost:${process.env.PORT ?? 3000}`
    ).replace(/\/+$/, '');
    const link = typeof details.runId === 'string' ? `${base}/runs/${details.runId}` : `${base}/monitoring`;
    return {
      subject: `APIQ alert: ${rule.name}`,
      text: `${line}\n\n${link}`,
      payload: {
        type: 'apiq.alert',
        event: { id: eventId, firedAt: new Date().toISOString() },
        rule: { id: rule.id, name: rule.name, kind: rule.kind, workflowId: rule.workflow_id },
        summary: line,
        details,
        link,
      },
    };
  }
}
