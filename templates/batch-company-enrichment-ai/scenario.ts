import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  world.answer = (body) => {
    const stripe = body.messages.at(-1)!.content.startsWith('Company: Stripe');
    return {
      content: JSON.stringify(
        stripe
          ? {
              industry: 'Payments',
              employeesEstimate: 8000,
              b2b: true,
              oneLiner: 'Payment infrastructure for the internet.',
            }
          : { industry: 'Retail', employeesEstimate: 40, b2b: false, oneLiner: 'Sells bicycles online.' },
      ),
    };
  };
  const run = await world.run(workflow, {
    companies: [{ name: 'Stripe', website: 'https://stripe.com' }, { name: 'Doe Bikes' }],
  });
  expect(run.status).toBe('succeeded');
  expect(run.output).toEqual([
    {
      name: 'Stripe',
      website: 'https://stripe.com',
      industry: 'Payments',
      employees: 8000,
      b2b: true,
      oneLiner: 'Payment infrastructure for the internet.',
    },
    {
      name: 'Doe Bikes',
      website: null,
      industry: 'Retail',
      employees: 40,
      b2b: false,
      oneLiner: 'Sells bicycles online.',
    },
  ]);
  expect(run.byStep['enrich[1]']?.status).toBe('succeeded');
});
