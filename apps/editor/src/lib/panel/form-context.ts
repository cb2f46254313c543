import { getContext, setContext } from 'svelte';
import type { JsonSchema } from './json-schema.ts';
import type { SampleData } from './run-data.ts';

/** What every field of a node's param form needs, shared through Svelte context. */
export interface FormContext {
  /** The params schema (holds the `$defs` that `$ref`s point into). */
  readonly root: JsonSchema;
  /** Sample data for expression completion and preview. */
  readonly sample: SampleData;
  /** Messages for a param path (`cases[0].condition`): server issues first, then client checks. */
  issuesAt(param: string): string[];
}

const KEY = Symbol('apiq.param-form');

export function setFormContext(context: FormContext): void {
  setContext(KEY, context);
}

export function formContext(): FormContext {
  const context = getContext<FormContext | undefined>(KEY);
  if (!context) throw new Error('param form fields must be rendered inside ParamsForm');
  return context;
}
