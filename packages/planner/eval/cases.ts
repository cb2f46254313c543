/**
 * Prompt → expected workflow cases for `npm run eval:planner`. `steps` lists the expected
 * non-trigger node types (order-free, duplicates count); `order` lists type pairs where the first
 * must come before the second on some path; `question` marks prompts that should get a
 * clarifying question instead of a guess.
 */
export interface PlannerCase {
  prompt: string;
  trigger?: string;
  steps?: string[];
  order?: Array<[string, string]>;
  question?: true;
}

const W = 'core.webhook_trigger';
const S = 'core.schedule_trigger';
const M = 'core.manual_trigger';
const GH_ISSUE = 'github.issue_opened';
const GH_PR = 'github.pull_request_opened';
const STRIPE = 'stripe.on_event';
const SLACK_EVT = 'slack.on_event';
const SLACK = 'slack.post_message';
const TRELLO = 'trello.create_card';
const EMAIL = 'email.send';
const LLM = 'openai.chat_completion';
const HTTP = 'core.http_request';
const IF = 'core.if';
const EACH = 'core.for_each';
const AGG = 'core.aggregate';
const WAIT = 'core.wait';
const RESPOND = 'core.respond_webhook';

export const CASES: PlannerCase[] = [
  // GitHub triggers
  {
    prompt: 'When a new GitHub issue is created, send a Slack notification and create a Trello card',
    trigger: GH_ISSUE,
    steps: [SLACK, TRELLO],
    order: [[SLACK, TRELLO]],
  },
  {
    prompt: 'Whenever someone opens an issue on GitHub, post it to #support in Slack',
    trigger: GH_ISSUE,
    steps: [SLACK],
  },
  { prompt: 'When a GitHub issue is opened, create a Trello card', trigger: GH_ISSUE, steps: [TRELLO] },
  { prompt: 'On every new GitHub issue, email triage@example.com', trigger: GH_ISSUE, steps: [EMAIL] },
  {
    prompt: 'When a new issue is filed in GitHub, comment "Thanks, we will take a look" on it',
    trigger: GH_ISSUE,
    steps: ['github.create_comment'],
  },
  {
    prompt: 'When a GitHub issue is opened, summarize it with AI and post the summary to Slack',
    trigger: GH_ISSUE,
    steps: [LLM, SLACK],
    order: [[LLM, SLACK]],
  },
  {
    prompt: 'When a new GitHub issue is created, post to Slack. Only for issues labelled bug',
    trigger: GH_ISSUE,
    steps: [IF, SLACK],
    order: [[IF, SLACK]],
  },
  {
    prompt: 'When a GitHub issue is opened, if it is labelled urgent, post to #oncall, otherwise create a Trello card',
    trigger: GH_ISSUE,
    steps: [IF, SLACK, TRELLO],
    order: [
      [IF, SLACK],
      [IF, TRELLO],
    ],
  },
  { prompt: 'When a pull request is opened on GitHub, notify #code-review on Slack', trigger: GH_PR, steps: [SLACK] },
  {
    prompt: 'Whenever a new PR is opened in GitHub, post a comment "Thanks for the contribution!"',
    trigger: GH_PR,
    steps: ['github.create_comment'],
  },
  {
    prompt: 'When a new pull request is opened on GitHub, create a Trello card and send a Slack message',
    trigger: GH_PR,
    steps: [TRELLO, SLACK],
    order: [[TRELLO, SLACK]],
  },
  {
    prompt: 'When a GitHub pull request is opened, ask GPT to review it and comment the answer on the pull request',
    trigger: GH_PR,
    steps: [LLM, 'github.create_comment'],
    order: [[LLM, 'github.create_comment']],
  },

  // Schedules
  {
    prompt: 'Every Monday at 9am, email me the open pull requests',
    trigger: S,
    steps: ['github.list_pull_requests', EMAIL],
    order: [['github.list_pull_requests', EMAIL]],
  },
  {
    prompt: 'Every hour, call https://status.example.com/health and post to #ops on Slack',
    trigger: S,
    steps: [HTTP, SLACK],
    order: [[HTTP, SLACK]],
  },
  {
    prompt: 'Every day at 8:30 send a Slack message to #standup saying "Standup in 15 minutes"',
    trigger: S,
    steps: [SLACK],
  },
  {
    prompt: 'Send me an email every morning with the Trello cards',
    trigger: S,
    steps: ['trello.list_cards', EMAIL],
    order: [['trello.list_cards', EMAIL]],
  },
  {
    prompt: 'Every 15 minutes fetch https://api.example.com/orders and for each order post to #orders on Slack',
    trigger: S,
    steps: [HTTP, EACH, SLACK, AGG],
    order: [
      [HTTP, EACH],
      [EACH, SLACK],
      [SLACK, AGG],
    ],
  },
  {
    prompt: 'On weekdays at 6pm, summarize the open pull requests with AI and email the summary to team@example.com',
    trigger: S,
    steps: ['github.list_pull_requests', LLM, EMAIL],
    order: [[LLM, EMAIL]],
  },
  {
    prompt:
      'Hourly, sync contacts by calling https://crm.example.com/api/contacts then POST them to https://mail.example.com/api/subscribers',
    trigger: S,
    steps: [HTTP, HTTP],
    order: [[HTTP, HTTP]],
  },
  {
    prompt: 'Every Friday at 5pm, list the Stripe invoices and email them to finance@example.com',
    trigger: S,
    steps: ['stripe.list_invoices', EMAIL],
    order: [['stripe.list_invoices', EMAIL]],
  },
  {
    prompt: 'Once a day, list the charges in Stripe and post them to #finance on Slack',
    trigger: S,
    steps: ['stripe.list_charges', SLACK],
    order: [['stripe.list_charges', SLACK]],
  },
  {
    prompt: 'Every week, get https://api.example.com/report and email it to boss@example.com',
    trigger: S,
    steps: [HTTP, EMAIL],
    order: [[HTTP, EMAIL]],
  },
  {
    prompt: 'Every 5 minutes ping https://example.com and if the status is not 200, post to #alerts on Slack',
    trigger: S,
    steps: [HTTP, IF, SLACK],
    order: [
      [HTTP, IF],
      [IF, SLACK],
    ],
  },
  { prompt: 'At 7am every day, send a Slack message to #general with "Good morning"', trigger: S, steps: [SLACK] },
  { prompt: 'Monthly on the 1st, create a Trello card "Monthly review"', trigger: S, steps: [TRELLO] },
  {
    prompt: 'Every evening, list the Trello cards, summarize them with AI and post the summary to Slack',
    trigger: S,
    steps: ['trello.list_cards', LLM, SLACK],
    order: [[LLM, SLACK]],
  },

  // Webhooks
  {
    prompt: 'When a customer signs up, create a Stripe customer, send a welcome email and post to #sales on Slack',
    trigger: W,
    steps: ['stripe.create_customer', EMAIL, SLACK],
    order: [['stripe.create_customer', EMAIL]],
  },
  {
    prompt:
      'Receive a webhook with an order; if the amount is over 100, post to #big-orders, otherwise email sales@example.com',
    trigger: W,
    steps: [IF, SLACK, EMAIL],
    order: [
      [IF, SLACK],
      [IF, EMAIL],
    ],
  },
  { prompt: 'When a webhook is received, respond with the data', trigger: W, steps: [RESPOND] },
  {
    prompt: 'When a form is submitted, send the details to #leads on Slack and reply with a thank you',
    trigger: W,
    steps: [SLACK, RESPOND],
    order: [[SLACK, RESPOND]],
  },
  {
    prompt:
      'When an order comes in via webhook, call https://inventory.example.com/reserve and respond with the result',
    trigger: W,
    steps: [HTTP, RESPOND],
    order: [[HTTP, RESPOND]],
  },
  {
    prompt: 'On an incoming webhook, classify the message with AI and post it to Slack',
    trigger: W,
    steps: [LLM, SLACK],
    order: [[LLM, SLACK]],
  },
  {
    prompt: 'When a request comes in, wait 10 minutes, then email ops@example.com',
    trigger: W,
    steps: [WAIT, EMAIL],
    order: [[WAIT, EMAIL]],
  },
  {
    prompt: 'When an expense request arrives by webhook, wait for manager approval, then post to #finance',
    trigger: W,
    steps: [WAIT, SLACK],
    order: [[WAIT, SLACK]],
  },
  {
    prompt: 'When a webhook receives a list of users, for each user send a welcome email',
    trigger: W,
    steps: [EACH, EMAIL, AGG],
    order: [
      [EACH, EMAIL],
      [EMAIL, AGG],
    ],
  },
  {
    prompt: 'When someone registers, add a Trello card for onboarding and email them a welcome message',
    trigger: W,
    steps: [TRELLO, EMAIL],
    order: [[TRELLO, EMAIL]],
  },
  {
    prompt:
      'When a new lead is received by webhook, enrich it with an LLM then POST it to https://crm.example.com/api/leads',
    trigger: W,
    steps: [LLM, HTTP],
    order: [[LLM, HTTP]],
  },
  {
    prompt:
      'When an HTTP request arrives, if the total is at least 500 reply with "approved", otherwise reply with "review"',
    trigger: W,
    steps: [IF, RESPOND, RESPOND],
    order: [[IF, RESPOND]],
  },
  {
    prompt: 'When a signup webhook arrives, create a GitHub issue "New signup to review"',
    trigger: W,
    steps: ['github.create_issue'],
  },
  {
    prompt: 'Whenever an order is placed, wait 1 day and then send a review request email',
    trigger: W,
    steps: [WAIT, EMAIL],
    order: [[WAIT, EMAIL]],
  },
  {
    prompt: 'When a webhook is called, translate the text with AI and respond with the translation',
    trigger: W,
    steps: [LLM, RESPOND],
    order: [[LLM, RESPOND]],
  },

  // Stripe and Slack events
  { prompt: 'When a Stripe payment succeeds, email the receipt to the customer', trigger: STRIPE, steps: [EMAIL] },
  {
    prompt: 'When a payment fails in Stripe, post to #billing on Slack and create a Trello card',
    trigger: STRIPE,
    steps: [SLACK, TRELLO],
    order: [[SLACK, TRELLO]],
  },
  { prompt: 'Whenever a Stripe invoice is paid, send a Slack message to #revenue', trigger: STRIPE, steps: [SLACK] },
  {
    prompt: 'When a checkout is completed on Stripe, send a thank you email and add a Trello card',
    trigger: STRIPE,
    steps: [EMAIL, TRELLO],
    order: [[EMAIL, TRELLO]],
  },
  {
    prompt: 'When a Stripe payment succeeds, if the amount is over 10000, post to #big-deals',
    trigger: STRIPE,
    steps: [IF, SLACK],
    order: [[IF, SLACK]],
  },
  {
    prompt: 'When someone mentions the bot in Slack, summarize the message with AI and reply in Slack',
    trigger: SLACK_EVT,
    steps: [LLM, SLACK],
    order: [[LLM, SLACK]],
  },
  { prompt: 'When a message is posted in Slack, create a Trello card from it', trigger: SLACK_EVT, steps: [TRELLO] },
  {
    prompt: 'When a Slack message is posted, create a GitHub issue from it',
    trigger: SLACK_EVT,
    steps: ['github.create_issue'],
  },

  // Manual runs
  {
    prompt: 'Manually fetch https://jsonplaceholder.typicode.com/todos and email them to me@example.com',
    trigger: M,
    steps: [HTTP, EMAIL],
    order: [[HTTP, EMAIL]],
  },
  { prompt: 'When I click run, post "Deploy started" to #deploys on Slack', trigger: M, steps: [SLACK] },
  {
    prompt: 'Create a GitHub issue "Quarterly audit" and post to #ops',
    trigger: M,
    steps: ['github.create_issue', SLACK],
    order: [['github.create_issue', SLACK]],
  },
  {
    prompt: 'List the pull requests and email the list to lead@example.com',
    trigger: M,
    steps: ['github.list_pull_requests', EMAIL],
    order: [['github.list_pull_requests', EMAIL]],
  },
  {
    prompt: 'On demand, call https://api.example.com/sync, wait 5 minutes, then call https://api.example.com/status',
    trigger: M,
    steps: [HTTP, WAIT, HTTP],
    order: [[HTTP, WAIT]],
  },
  {
    prompt: 'Fetch https://api.example.com/users and for each user create a Trello card',
    trigger: M,
    steps: [HTTP, EACH, TRELLO, AGG],
    order: [
      [HTTP, EACH],
      [EACH, TRELLO],
    ],
  },
  {
    prompt: 'Run by hand: list the Trello cards and summarize them with GPT',
    trigger: M,
    steps: ['trello.list_cards', LLM],
    order: [['trello.list_cards', LLM]],
  },
  {
    prompt: 'Draft a release note with AI and post it to #releases',
    trigger: M,
    steps: [LLM, SLACK],
    order: [[LLM, SLACK]],
  },
  {
    prompt: 'Create a Stripe customer and then create a payment intent',
    trigger: M,
    steps: ['stripe.create_customer', 'stripe.create_payment_intent'],
    order: [['stripe.create_customer', 'stripe.create_payment_intent']],
  },
  {
    prompt: 'Move the Trello card to the Done list and post to #team',
    trigger: M,
    steps: ['trello.move_card', SLACK],
    order: [['trello.move_card', SLACK]],
  },
  { prompt: 'Send an email to hello@example.com with the subject "Hello"', trigger: M, steps: [EMAIL] },

  // Too unclear: one question instead of a guess
  { prompt: 'When something happens, notify the team', question: true },
  { prompt: 'Whenever it changes, do the thing', question: true },
  { prompt: 'When a new GitHub issue is created, notify the team', question: true },
  { prompt: 'Every hour, alert the team', question: true },
];

/**
 * Held out: written after the planner was tuned on CASES and never tuned on, so their score
 * says how well the offline planner generalises.
 */
export const HELD_OUT: PlannerCase[] = [
  {
    prompt: 'As soon as a GitHub issue gets opened, drop a note in #triage on Slack',
    trigger: GH_ISSUE,
    steps: [SLACK],
  },
  {
    prompt: 'Each time a PR is opened on GitHub, send an email to reviewers@example.com',
    trigger: GH_PR,
    steps: [EMAIL],
  },
  {
    prompt: 'Every 30 minutes, GET https://api.example.com/queue and if the size is greater than 1000 post to #ops',
    trigger: S,
    steps: [HTTP, IF, SLACK],
    order: [
      [HTTP, IF],
      [IF, SLACK],
    ],
  },
  {
    prompt: 'Daily at 6am, fetch https://api.example.com/weather and email it to me@example.com',
    trigger: S,
    steps: [HTTP, EMAIL],
    order: [[HTTP, EMAIL]],
  },
  {
    prompt: 'When a Stripe subscription is created, create a Trello card "New subscriber" and notify #growth on Slack',
    trigger: STRIPE,
    steps: [TRELLO, SLACK],
    order: [[TRELLO, SLACK]],
  },
  {
    prompt: 'Whenever our website form posts to a webhook, send the submission to #inbox in Slack and respond with ok',
    trigger: W,
    steps: [SLACK, RESPOND],
    order: [[SLACK, RESPOND]],
  },
  {
    prompt: 'When a new order is received, for each item call https://warehouse.example.com/reserve',
    trigger: W,
    steps: [EACH, HTTP, AGG],
    order: [[EACH, HTTP]],
  },
  {
    prompt:
      'Every Sunday at 20:00, list the invoices in Stripe, summarize them with an LLM and email the summary to cfo@example.com',
    trigger: S,
    steps: ['stripe.list_invoices', LLM, EMAIL],
    order: [[LLM, EMAIL]],
  },
  {
    prompt: 'When a payment succeeds on Stripe, wait 2 days, then email the customer a feedback request',
    trigger: STRIPE,
    steps: [WAIT, EMAIL],
    order: [[WAIT, EMAIL]],
  },
  {
    prompt:
      'When a GitHub issue is opened, if it mentions security, email security@example.com, otherwise post to #issues',
    trigger: GH_ISSUE,
    steps: [IF, EMAIL, SLACK],
    order: [
      [IF, EMAIL],
      [IF, SLACK],
    ],
  },
  { prompt: 'Manually create a Trello card called "Sprint planning"', trigger: M, steps: [TRELLO] },
  {
    prompt: 'When a Slack message mentions the bot, create a Trello card and reply in Slack',
    trigger: SLACK_EVT,
    steps: [TRELLO, SLACK],
    order: [[TRELLO, SLACK]],
  },
  { prompt: 'Every weekday at 9:15 post "Daily standup now" to #eng in Slack', trigger: S, steps: [SLACK] },
  {
    prompt: 'When a webhook delivers a lead, classify it with GPT and if the score is above 80 create a GitHub issue',
    trigger: W,
    steps: [LLM, IF, 'github.create_issue'],
    order: [
      [LLM, IF],
      [IF, 'github.create_issue'],
    ],
  },
  {
    prompt: 'Call https://api.example.com/export and email the result to data@example.com',
    trigger: M,
    steps: [HTTP, EMAIL],
    order: [[HTTP, EMAIL]],
  },
  {
    prompt: 'When a new pull request is opened, wait for approval, then post to #deploys',
    trigger: GH_PR,
    steps: [WAIT, SLACK],
    order: [[WAIT, SLACK]],
  },
  { prompt: 'When something comes in, let everyone know', question: true },
  {
    prompt:
      'Every night at 11pm, fetch https://backup.example.com/run and if the status equals failed, email admin@example.com',
    trigger: S,
    steps: [HTTP, IF, EMAIL],
    order: [
      [HTTP, IF],
      [IF, EMAIL],
    ],
  },
  {
    prompt: 'When an invoice is paid in Stripe, post the amount to #revenue and add a Trello card',
    trigger: STRIPE,
    steps: [SLACK, TRELLO],
    order: [[SLACK, TRELLO]],
  },
  {
    prompt: 'Once a week, list open pull requests on GitHub and post them to #reviews',
    trigger: S,
    steps: ['github.list_pull_requests', SLACK],
    order: [['github.list_pull_requests', SLACK]],
  },
];
