import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  world.answer = (body) => {
    const bug = body.messages.at(-1)!.content.includes('500 error');
    return {
      content: JSON.stringify(
        bug
          ? { category: 'bug', urgency: 'high', summary: 'Export to CSV fails with a 500 error.' }
          : { category: 'question', urgency: 'low', summary: 'Asks whether SSO is available.' },
      ),
    };
  };
  const bug = await world.webhook(workflow, {
    body: { id: 'T-1001', email: 'ops@client.example', subject: 'Export broken', message: 'Export gives a 500 error.' },
  });
  const bugRun = await world.finished((bug.body as { runId: string }).runId);
  expect(bugRun.status).toBe('succeeded');
  const card = [...world.trello.cards.values()].find((c) => c.name === '[HIGH] Export broken')!;
  expect(card.desc).toBe(
    'Export to CSV fails with a 500 error.\n\nTicket T-1001 from ops@client.example:\n\nExport gives a 500 error.',
  );
  expect(bugRun.byStep.auto_reply?.status).toBe('skipped');
  expect(bugRun.byStep.billing_alert?.status).toBe('skipped');

  const question = await world.webhook(workflow, {
    body: { id: 'T-1002', email: 'cto@client.example', subject: 'SSO?', message: 'Do you support SAML SSO?' },
  });
  const questionRun = await world.finished((question.body as { runId: string }).runId);
  expect(questionRun.status).toBe('succeeded');
  expect(questionRun.byStep.bug_card?.status).toBe('skipped');
  const mail = world.smtp.received.find((m) => m.envelope.to.includes('cto@client.example'))!;
  expect(mail.parsed.subject).toBe('Re: SSO?');
  expect(mail.parsed.text).toContain('We received your question (ticket T-1002)');
});
