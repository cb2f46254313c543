import { goto } from '$app/navigation';
import { trpc } from '$lib/trpc.ts';

/**
 * Creates a workflow (empty unless a graph is given) and opens it on the canvas.
 * Throws what the API threw; callers show it with `toast.error`.
 *
 * @example
 * await createAndOpenWorkflow('Untitled workflow');
 */
export async function createAndOpenWorkflow(name: string, graph?: Record<string, unknown>): Promise<string> {
  const result = await trpc.workflows.create.mutate({ name, ...(graph ? { graph } : {}) });
  await goto(`/workflows/${result.workflowId}`);
  return result.workflowId;
}
