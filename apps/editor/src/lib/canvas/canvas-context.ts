import { getContext, setContext } from 'svelte';
import type { StickyNote } from './types.ts';

/** What node components on the canvas can ask of the editor around them. */
export interface CanvasActions {
  openNode(id: string): void;
  updateNote(id: string, patch: Partial<Omit<StickyNote, 'id'>>): void;
  removeNote(id: string): void;
}

/** The drag-and-drop data type of a node type dragged from the palette (`<id>@<version>`). */
export const NODE_DRAG_TYPE = 'application/x-apiq-node';

const KEY = Symbol('apiq-canvas');

export function setCanvasActions(actions: CanvasActions): void {
  setContext(KEY, actions);
}

export function canvasActions(): CanvasActions {
  return getContext<CanvasActions>(KEY);
}
