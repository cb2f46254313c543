import type { Json } from '../panel/types.ts';

/** Minimal storage (window.localStorage fits; tests pass a Map-backed one). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const key = (workflowId: string) => `apiq:pinned:${workflowId}`;

/**
 * Pinned outputs of one workflow's nodes, kept in the browser (the API takes them per run, in
 * `runs.start({ pinned })`). Unreadable stored data counts as no pins.
 *
 * @example
 * savePinned(localStorage, id, { ...loadPinned(localStorage, id), code: [{ total: 1 }] });
 */
export function loadPinned(storage: KeyValueStorage | undefined, workflowId: string): Record<string, Json> {
  try {
    const raw = storage?.getItem(key(workflowId));
    const value: unknown = raw ? JSON.parse(raw) : {};
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Json>) : {};
  } catch {
    return {};
  }
}

export function savePinned(
  storage: KeyValueStorage | undefined,
  workflowId: string,
  pinned: Record<string, Json>,
): void {
  if (!storage) return;
  if (Object.keys(pinned).length === 0) storage.removeItem(key(workflowId));
  else storage.setItem(key(workflowId), JSON.stringify(pinned));
}

/** Pins of nodes that still exist (a deleted node's pin would make the run fail). */
export function pinsForGraph(pinned: Record<string, Json>, nodeIds: Iterable<string>): Record<string, Json> {
  const ids = new Set(nodeIds);
  return Object.fromEntries(Object.entries(pinned).filter(([id]) => ids.has(id)));
}
