import { hasExpressions, resolveParams, type IRStep } from '@apiq/graph';
import type { Json, NodeCatalog, NodeWebhook, WebhookDelivery, WebhookReply } from '@apiq/sdk';

/** An app-event trigger ready to take deliveries: its hooks and its parsed params. */
export interface AppTrigger {
  nodeId: string;
  type: string;
  hooks: NodeWebhook;
  params: unknown;
  credentialRefs: Record<string, string>;
}

/** What the web process does with one delivery, decided by the trigger's hooks. */
export type AppDeliveryDecision =
  | { action: 'reject'; status: number; body: Json }
  | { action: 'reply'; reply: WebhookReply }
  | { action: 'ignore'; body: Json }
  | { action: 'start'; output: Json; deliveryId: string | null };

const DROP_HEADERS = new Set(['cookie', 'authorization', 'proxy-authorization']);

/**
 * Prepares the trigger step of an active workflow whose trigger is an app-event node: finds its
 * definition and parses its params. Returns a message saying what to fix when it cannot.
 */
export async function prepareAppTrigger(
  catalog: NodeCatalog,
  step: IRStep,
  workflowId: string,
): Promise<AppTrigger | { problem: string }> {
  const def = catalog.get(step.type, step.version);
  if (!def)
    return {
      problem: `node type ${step.type}@${step.version} of trigger "${step.id}" is not installed on this web server; install its package or deactivate workflow ${workflowId}`,
    };
  if (!def.webhook)
    return {
      problem: `node type ${step.type}@${step.version} does not receive webhooks (it declares no webhook hooks)`,
    };
  let raw: unknown = step.params;
  if (hasExpressions(step.params)) {
    try {
      raw = await resolveParams(step.params, { trigger: null, input: null, steps: {}, run: { id: '', workflowId } });
    } catch (err) {
      return { problem: `trigger "${step.id}" of workflow ${workflowId}: ${(err as Error).message}` };
    }
  }
  const parsed = def.params.safeParse(raw);
  if (!parsed.success) {
    const text = parsed.error.issues.map((i) => `params.${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    return {
      problem: `trigger "${step.id}" of workflow ${workflowId} has invalid parameters: ${text.join('; ')}; fix them and activate the workflow again`,
    };
  }
  return {
    nodeId: step.id,
    type: step.type,
    hooks: def.webhook,
    params: parsed.data,
    credentialRefs: step.credentials ?? {},
  };
}

/**
 * Runs a delivery through the trigger's hooks: verify → handshake → accept → output. Hooks that
 * throw are treated as a failed check (verify) or a bad delivery (the others), never a 500.
 */
export function decideAppDelivery(
  trigger: AppTrigger,
  delivery: WebhookDelivery,
  credentials: Record<string, Record<string, string>>,
  bodyProblem: string | undefined,
): AppDeliveryDecision {
  const hooks = trigger.hooks;
  if (hooks.verify) {
    let verdict;
    try {
      verdict = hooks.verify(delivery, credentials);
    } catch (err) {
      verdict = { ok: false as const, message: `the delivery could not be verified: ${(err as Error).message}` };
    }
    if (!verdict.ok)
      return { action: 'reject', status: 401, body: { error: 'bad_signature', message: verdict.message } };
  }
  if (bodyProblem) return { action: 'reject', status: 400, body: { error: 'invalid_body', message: bodyProblem } };
  try {
    const reply = hooks.handshake?.(delivery);
    if (reply) return { action: 'reply', reply };
    if (hooks.accept && !hooks.accept(delivery)) {
      return {
        action: 'ignore',
        body: { status: 'ignored', message: `trigger "${trigger.nodeId}" does not start runs for this delivery` },
      };
    }
    const id = hooks.deliveryId?.(delivery);
    const output = hooks.output ? hooks.output(delivery) : defaultOutput(delivery);
    return { action: 'start', output, deliveryId: id ? id.slice(0, 200) : null };
  } catch (err) {
    return {
      action: 'reject',
      status: 400,
      body: {
        error: 'invalid_delivery',
        message: `trigger "${trigger.nodeId}" (${trigger.type}) cannot use this delivery: ${(err as Error).message}`,
      },
    };
  }
}

function defaultOutput(delivery: WebhookDelivery): Json {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(delivery.headers)) if (!DROP_HEADERS.has(k)) headers[k] = v;
  return { headers, body: delivery.body };
}
