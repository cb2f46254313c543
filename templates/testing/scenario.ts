import type { World, PreparedWorkflow } from './world.ts';

/**
 * How a template is run end to end in `templates/templates.test.ts`: start its trigger the way
 * production does (a signed webhook delivery, a manual run, a schedule tick's payload, a poll)
 * and assert on what the stand-in APIs received and on the run.
 */
export type Scenario = (world: World, workflow: PreparedWorkflow) => Promise<void>;

/** Marks a `scenario.ts` default export (typed, so scenarios read alike). */
export function scenario(run: Scenario): Scenario {
  return run;
}
