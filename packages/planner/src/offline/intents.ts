import { parseSchedule } from './schedule.ts';

/** A value for a parameter, with a note when the user must still fill it in. */
export interface ParamGuess {
  value: unknown;
  /** Set when the value is a placeholder the user must replace before running. */
  todo?: string;
}

export interface Intent {
  type: string;
  /** One sentence saying what this step does, for the explanation. */
  explain: string;
  params: Record<string, ParamGuess>;
  name: string;
}

/** What a step can refer to: the trigger's type (for sensible default texts). */
export interface IntentContext {
  triggerType: string;
  /** The original clause, with its case kept (for quoted text, channel names, URLs). */
  clause: string;
}

const expr = (src: string) => ({ kind: 'expr', src });

/** A short human text describing the trigger's data, as a JSONata expression. */
export function triggerSummaryExpr(triggerType: string): string {
  switch (triggerType) {
    case 'github.issue_opened':
      return `"New GitHub issue: " & $trigger.issue.title & " " & $trigger.issue.html_url`;
    case 'github.pull_request_opened':
      return `"New pull request: " & $trigger.pull_request.title & " " & $trigger.pull_request.html_url`;
    case 'github.on_event':
      return `"GitHub " & $trigger.event & " event in " & $trigger.repository.full_name`;
    case 'stripe.on_event':
      return `"Stripe event " & $trigger.type & " (" & $trigger.id & ")"`;
    case 'slack.on_event':
      return `"Slack: " & $trigger.event.text`;
    case 'core.schedule_trigger':
      return `"Scheduled run at " & $now()`;
    case 'core.webhook_trigger':
      return `"Received: " & $string($trigger.body)`;
    default:
      return `$string($input)`;
  }
}

function titleExpr(triggerType: string): string {
  switch (triggerType) {
    case 'github.issue_opened':
      return '$trigger.issue.title';
    case 'github.pull_request_opened':
      return '$trigger.pull_request.title';
    case 'stripe.on_event':
      return `"Stripe " & $trigger.type`;
    default:
      return triggerSummaryExpr(triggerType);
  }
}

function bodyExpr(triggerType: string): string {
  switch (triggerType) {
    case 'github.issue_opened':
      return '$trigger.issue.body & "\\n\\n" & $trigger.issue.html_url';
    case 'github.pull_request_opened':
      return '$trigger.pull_request.body & "\\n\\n" & $trigger.pull_request.html_url';
    default:
      return '$string($input)';
  }
}

/** Text in quotes in the clause, if any: `post "Deploy done" to #ops` → `Deploy done`. */
function quoted(clause: string): string | undefined {
  return /["“'‘]([^"”'’]{2,200})["”'’]/.exec(clause)?.[1];
}

function emailIn(clause: string): string | undefined {
  return /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(clause)?.[0];
}

function urlIn(clause: string): string | undefined {
  return /https?:\/\/[^\s"'<>,]+[^\s"'<>,.)]/.exec(clause)?.[0];
}

function repositoryParam(ctx: IntentContext): ParamGuess {
  const named = /\b([a-z0-9][\w.-]*\/[\w.-]+)\b/i.exec(ctx.clause.replace(/https?:\/\/\S+/g, ''));
  if (named) return { value: named[1] };
  return ctx.triggerType.startsWith('github.')
    ? { value: expr('$trigger.repository.full_name') }
    : { value: 'owner/repo', todo: 'Set the GitHub repository (owner/name)' };
}

function channelIn(clause: string): ParamGuess {
  const m =
    /#([a-z0-9][a-z0-9_-]{0,79})/i.exec(clause) ?? /\b(?:channel|in)\s+([a-z0-9][a-z0-9_-]+)\s+channel\b/i.exec(clause);
  return m ? { value: `#${m[1]!.toLowerCase()}` } : { value: '#general', todo: 'Choose the Slack channel to post in' };
}

function messageText(ctx: IntentContext): ParamGuess {
  const q = quoted(ctx.clause);
  return q ? { value: q } : { value: expr(triggerSummaryExpr(ctx.triggerType)) };
}

interface StepRule {
  test: RegExp;
  build(ctx: IntentContext): Omit<Intent, 'type'>;
  type: string;
}

/**
 * Step phrases → node types, most specific first. Each returns the parameters it can read from
 * the sentence and placeholders (with a to-do) for the rest.
 */
export const STEP_RULES: StepRule[] = [
  {
    type: 'slack.post_message',
    test: /\bslack\b|\bslack\s+(?:message|notification)|#[a-z0-9_-]+\s+channel|\bto\s+#[a-z0-9_-]+/i,
    build: (ctx) => ({
      name: 'Post to Slack',
      explain: 'Posts a message to a Slack channel.',
      params: { channel: channelIn(ctx.clause), text: messageText(ctx) },
    }),
  },
  {
    type: 'trello.move_card',
    test: /\bmove\b.*\b(?:trello\s+)?card\b/i,
    build: () => ({
      name: 'Move Trello card',
      explain: 'Moves a Trello card to another list.',
      params: {
        cardId: { value: expr('$input.id'), todo: 'Check which card to move' },
        listId: { value: '000000000000000000000000', todo: 'Choose the Trello list to move the card to' },
      },
    }),
  },
  {
    type: 'trello.add_comment',
    test: /\bcomment\b.*\btrello\b|\btrello\b.*\bcomment\b/i,
    build: (ctx) => ({
      name: 'Comment on Trello card',
      explain: 'Adds a comment to a Trello card.',
      params: {
        cardId: { value: '000000000000000000000000', todo: 'Choose the Trello card to comment on' },
        text: messageText(ctx),
      },
    }),
  },
  {
    type: 'trello.list_cards',
    test: /\b(?:list|get|fetch|read|all|the|open)\s+(?:the\s+|all\s+|open\s+)?(?:trello\s+)?cards\b/i,
    build: () => ({
      name: 'List Trello cards',
      explain: 'Lists the cards of a Trello list or board.',
      params: { listId: { value: '000000000000000000000000', todo: 'Choose the Trello list to read' } },
    }),
  },
  {
    type: 'trello.create_card',
    test: /\btrello\b|\b(?:create|add|make|open)\s+(?:a\s+|an\s+)?(?:new\s+)?card\b/i,
    build: (ctx) => ({
      name: 'Create Trello card',
      explain: 'Creates a card on a Trello list.',
      params: {
        listId: { value: '000000000000000000000000', todo: 'Choose the Trello list for new cards' },
        name: quoted(ctx.clause) ? { value: quoted(ctx.clause) } : { value: expr(titleExpr(ctx.triggerType)) },
        description: { value: expr(bodyExpr(ctx.triggerType)) },
      },
    }),
  },
  {
    type: 'github.create_comment',
    test: /\bcomment\b/i,
    build: (ctx) => ({
      name: 'Comment on GitHub',
      explain: 'Comments on a GitHub issue or pull request.',
      params: {
        repository: repositoryParam(ctx),
        issueNumber:
          ctx.triggerType === 'github.pull_request_opened'
            ? { value: expr('$trigger.pull_request.number') }
            : ctx.triggerType.startsWith('github.')
              ? { value: expr('$trigger.issue.number') }
              : { value: 1, todo: 'Set the issue number' },
        body: quoted(ctx.clause) ? { value: quoted(ctx.clause) } : { value: 'Thanks! We are looking into it.' },
      },
    }),
  },
  {
    type: 'github.list_pull_requests',
    test: /\blist\b.*\bpull requests?\b|\bopen pull requests\b|\bopen prs\b/i,
    build: (ctx) => ({
      name: 'List pull requests',
      explain: 'Lists the pull requests of a GitHub repository.',
      params: {
        repository: repositoryParam(ctx),
      },
    }),
  },
  {
    type: 'github.create_issue',
    test: /\b(?:create|open|file|raise|log)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:github\s+)?issue\b|\bgithub\s+issue\b/i,
    build: (ctx) => ({
      name: 'Create GitHub issue',
      explain: 'Opens an issue in a GitHub repository.',
      params: {
        repository: repositoryParam(ctx),
        title: quoted(ctx.clause) ? { value: quoted(ctx.clause) } : { value: expr(titleExpr(ctx.triggerType)) },
        body: { value: expr(bodyExpr(ctx.triggerType)) },
      },
    }),
  },
  {
    type: 'stripe.create_payment_intent',
    test: /\bpayment intent\b|\bcharge\s+(?:the\s+)?(?:customer|card)\b/i,
    build: () => ({
      name: 'Create payment intent',
      explain: 'Creates a Stripe payment intent.',
      params: {
        amount: { value: expr('$input.amount'), todo: 'Check the amount (in the smallest currency unit)' },
        currency: { value: 'usd' },
      },
    }),
  },
  {
    type: 'stripe.create_customer',
    test: /\b(?:stripe|billing)\b.*\bcustomer\b|\bcustomer\b.*\b(?:stripe|billing)\b|\bbilling account\b/i,
    build: () => ({
      name: 'Create Stripe customer',
      explain: 'Creates a customer in Stripe (the billing account).',
      params: {
        email: { value: expr('$trigger.body.email') },
        name: { value: expr('$trigger.body.name') },
      },
    }),
  },
  {
    type: 'stripe.list_invoices',
    test: /\binvoices?\b/i,
    build: () => ({ name: 'List invoices', explain: 'Lists Stripe invoices.', params: {} }),
  },
  {
    type: 'stripe.list_charges',
    test: /\bcharges\b|\bpayments\b.*\blist\b|\blist\b.*\bpayments\b/i,
    build: () => ({ name: 'List charges', explain: 'Lists Stripe charges.', params: {} }),
  },
  {
    type: 'openai.chat_completion',
    test: /\b(?:summari[sz]e|summary|classify|categori[sz]e|translate|sentiment|draft|rewrite|ai|gpt|llm|chatgpt|openai|language model|enrich)\b/i,
    build: (ctx) => ({
      name: 'Ask the model',
      explain: 'Asks a language model (any OpenAI-compatible endpoint) to do this step.',
      params: {
        model: { value: 'gpt-4o-mini', todo: 'Choose the model your endpoint serves' },
        prompt: { value: expr(`"${ctx.clause.replace(/["\\]/g, '')}:\\n\\n" & $string($input)`) },
      },
    }),
  },
  {
    type: 'email.send',
    test: /\be-?mails?\b|\bmail\s+(?:me|us|them|it|the)\b|\bsend\s+(?:me\s+)?(?:a\s+)?(?:welcome|receipt|confirmation)\b|\breceipt\b/i,
    build: (ctx) => {
      const to = emailIn(ctx.clause);
      const subject = quoted(ctx.clause);
      const welcome = /\bwelcome\b/i.test(ctx.clause);
      const receipt = /\breceipt\b/i.test(ctx.clause);
      return {
        name: welcome ? 'Send welcome email' : receipt ? 'Email the receipt' : 'Send email',
        explain: 'Sends an email through your SMTP server.',
        params: {
          to: to
            ? { value: to }
            : welcome || receipt
              ? { value: expr(receipt ? '$trigger.data.object.receipt_email' : '$trigger.body.email') }
              : { value: 'you@example.com', todo: 'Set who receives the email' },
          subject: subject
            ? { value: subject }
            : { value: welcome ? 'Welcome!' : receipt ? 'Your receipt' : expr(titleExpr(ctx.triggerType)) },
          text: { value: expr(triggerSummaryExpr(ctx.triggerType)) },
        },
      };
    },
  },
  {
    type: 'core.respond_webhook',
    test: /\b(?:respond|reply|return|answer)\b/i,
    build: () => ({
      name: 'Respond',
      explain: 'Answers the webhook caller with the data so far.',
      params: { status: { value: 200 }, body: { value: expr('$input') } },
    }),
  },
  {
    type: 'core.http_request',
    test: /https?:\/\/|\b(?:call|fetch|request|hit|ping|query|post to|get)\b.*\b(?:api|url|endpoint|service|server|website|webhook)\b|\bhttp\b/i,
    build: (ctx) => {
      const url = urlIn(ctx.clause);
      const post = /\b(?:post|send|push|submit)\b/i.test(ctx.clause);
      return {
        name: 'HTTP request',
        explain: 'Calls an HTTP API.',
        params: {
          method: { value: post ? 'POST' : 'GET' },
          url: url ? { value: url } : { value: 'https://api.example.com/', todo: 'Set the URL to call' },
          ...(post ? { body: { value: expr('$input') } } : {}),
        },
      };
    },
  },
  {
    type: 'core.code',
    test: /\b(?:javascript|code|script|compute|calculate|sum|total|count)\b/i,
    build: () => ({
      name: 'Code',
      explain: 'Runs JavaScript on the data (in a sandbox).',
      params: {
        code: { value: 'return input;', todo: 'Write the JavaScript for this step' },
      },
    }),
  },
  {
    type: 'core.set',
    test: /\b(?:set|map|transform|rename|format|reshape|add (?:a )?field|extract|pick)\b/i,
    build: () => ({
      name: 'Set fields',
      explain: 'Sets or reshapes fields of the data.',
      params: { fields: { value: { result: expr('$input') }, todo: 'Choose the fields to set' } },
    }),
  },
  {
    type: 'core.stop_error',
    test: /\b(?:stop|fail|abort)\b.*\berror\b|\bthrow\b/i,
    build: (ctx) => ({
      name: 'Stop with error',
      explain: 'Stops the run and marks it failed.',
      params: { message: { value: quoted(ctx.clause) ?? 'Stopped by the workflow' } },
    }),
  },
];

export interface TriggerIntent extends Intent {
  /** The words that named the trigger (removed before reading the steps). */
  matched: string;
}

interface TriggerRule {
  test: RegExp;
  type: string;
  build(clause: string, match: RegExpExecArray): Omit<TriggerIntent, 'type' | 'matched'>;
}

function webhookPath(clause: string): string {
  const words = clause
    .toLowerCase()
    .replace(
      /\b(?:when|whenever|a|an|the|new|is|are|comes?|in|receive[sd]?|webhook|request|post|http|on|gets?)\b/g,
      ' ',
    )
    .match(/[a-z0-9]+/g);
  return (words ?? ['incoming']).slice(0, 3).join('-') || 'incoming';
}

/** Trigger phrases → trigger node types. Schedules are read by `parseSchedule`. */
export const TRIGGER_RULES: TriggerRule[] = [
  {
    type: 'github.pull_request_opened',
    test: /\b(?:pull requests?|prs?)\b.*\b(?:github|opened|created|new|submitted)\b|\bgithub\b.*\b(?:pull requests?|prs?)\b|\bnew (?:pull request|pr)\b/i,
    build: () => ({
      name: 'New pull request',
      explain: 'Starts when a pull request is opened on GitHub (GitHub calls APIQ’s webhook URL).',
      params: {},
    }),
  },
  {
    type: 'github.issue_opened',
    test: /\b(?:github\s+)?issues?\b.*\b(?:opened|created|filed|new|submitted|reported|labell?ed)\b|\bnew (?:github )?issues?\b|\bgithub\b.*\bissues?\b|\bissues?\b.*\bgithub\b/i,
    build: () => ({
      name: 'New GitHub issue',
      explain: 'Starts when an issue is opened on GitHub (GitHub calls APIQ’s webhook URL).',
      params: {},
    }),
  },
  {
    type: 'stripe.on_event',
    test: /\b(?:stripe|payment|charge|invoice|checkout|subscription)s?\b.*\b(?:succeed|succeeded|success|successful|paid|received|completed|failed|created|cancell?ed|made|comes? in)\b|\bstripe\b/i,
    build: (clause) => {
      const events = /\bfail/i.test(clause)
        ? ['payment_intent.payment_failed']
        : /\binvoice/i.test(clause)
          ? ['invoice.paid']
          : /\bsubscription/i.test(clause)
            ? ['customer.subscription.created']
            : /\bcheckout/i.test(clause)
              ? ['checkout.session.completed']
              : ['payment_intent.succeeded'];
      return {
        name: 'Stripe event',
        explain: `Starts when Stripe sends a ${events[0]} event (signature checked).`,
        params: { events: { value: events } },
      };
    },
  },
  {
    type: 'slack.on_event',
    test: /\bslack\b.*\b(?:messages?|mentions?|mentioned|posted|reactions?|events?)\b|\b(?:messages?|mentions?|mentioned)\b.*\bslack\b/i,
    build: () => ({
      name: 'Slack event',
      explain: 'Starts when Slack sends an event (e.g. a message or a mention).',
      params: {},
    }),
  },
  {
    type: 'core.manual_trigger',
    test: /\bmanual(?:ly)?\b|\bby hand\b|\bon demand\b|\bwhen i (?:click|press|run|start)\b|\bbutton\b/i,
    build: () => ({ name: 'Run by hand', explain: 'Starts when you run it from the editor or the CLI.', params: {} }),
  },
  {
    type: 'core.webhook_trigger',
    test: /\bwebhook\b|\b(?:http|post|get)\s+request\b|\bendpoint\b|\bapi call\b|\bform\b.*\bsubmit|\bsign(?:s|ed)?\s*up\b|\bsignup\b|\bregisters?\b|\border\b.*\b(?:placed|created|comes? in|received)\b|\b(?:receive|receives|received)\b|\bcomes? in\b|\bincoming\b/i,
    build: (clause) => {
      const path = webhookPath(clause);
      const responds = /\b(?:respond|reply|return|answer)\b/i.test(clause);
      return {
        name: 'Webhook',
        explain: `Starts when an HTTP request arrives at /webhook/${path}.`,
        params: {
          path: { value: path },
          method: { value: 'POST' },
          ...(responds ? { respond: { value: 'respond_node' } } : {}),
        },
      };
    },
  },
];

/** Finds the trigger in a sentence: a schedule phrase, or the first trigger rule that matches. */
export function detectTrigger(sentence: string, triggerClause: string | undefined): TriggerIntent | undefined {
  // An imperative sentence with no "when…" names no event: only a schedule or a manual run fits.
  if (!triggerClause && !parseSchedule(sentence)) return undefined;
  const schedule = parseSchedule(sentence);
  const scope = triggerClause ?? sentence;
  if (schedule && (!triggerClause || parseSchedule(triggerClause) || !TRIGGER_RULES.some((r) => r.test.test(scope))))
    return {
      type: 'core.schedule_trigger',
      name: 'Schedule',
      explain: `Starts ${schedule.description} (UTC).`,
      params: { cron: { value: schedule.cron } },
      matched: schedule.matched,
    };
  for (const rule of TRIGGER_RULES) {
    const m = rule.test.exec(scope);
    if (m) return { ...rule.build(scope, m), type: rule.type, matched: triggerClause ?? m[0] };
  }
  return undefined;
}
