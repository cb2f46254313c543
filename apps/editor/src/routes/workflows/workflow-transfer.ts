import { trpc } from '$lib/trpc.ts';
import { downloadFile, fileSlug } from '$lib/ui/download-file.ts';

/** A workflow's newest saved version as an export bundle (the `apiq export` format), as pretty JSON. */
export async function exportJson(id: string): Promise<string> {
  const bundle = await trpc.workflows.export.query({ id });
  return JSON.stringify(bundle, null, 2);
}

/**
 * Downloads a workflow as `<name>.apiq.json`.
 *
 * @example
 * await downloadWorkflow(wf.id, wf.name);
 */
export async function downloadWorkflow(id: string, name: string): Promise<void> {
  downloadFile(`${fileSlug(name)}.apiq.json`, await exportJson(id));
}

/** Copies a workflow's export JSON to the clipboard. */
export async function copyWorkflow(id: string): Promise<void> {
  const text = await exportJson(id);
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    throw new Error('The browser did not allow writing to the clipboard. Use “Download JSON” instead.');
  }
}
