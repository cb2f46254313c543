export type EditorCommand =
  | 'save'
  | 'run'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'duplicate'
  | 'delete'
  | 'selectAll'
  | 'fitView'
  | 'autoLayout'
  | 'addNote'
  | 'togglePalette'
  | 'help'
  | 'escape';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * The editor command for a key press, or undefined. While the user types in a field, only Save
 * and Run apply (and Escape), so typing never deletes nodes or undoes the canvas.
 *
 * @example
 * const command = commandForKey(event, isEditable(event.target));
 */
export function commandForKey(event: KeyLike, typing: boolean): EditorCommand | undefined {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (mod && !event.altKey) {
    if (key === 's') return 'save';
    if (key === 'Enter') return 'run';
    if (typing) return undefined;
    if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !event.shiftKey) return 'redo';
    if (key === 'c' && !event.shiftKey) return 'copy';
    if (key === 'x' && !event.shiftKey) return 'cut';
    if (key === 'v' && !event.shiftKey) return 'paste';
    if (key === 'd' && !event.shiftKey) return 'duplicate';
    if (key === 'a' && !event.shiftKey) return 'selectAll';
    if (key === 'b' && !event.shiftKey) return 'togglePalette';
    return undefined;
  }
  if (key === 'Escape') return 'escape';
  if (typing || event.altKey || mod) return undefined;
  if (key === 'Delete' || key === 'Backspace') return 'delete';
  if (key === '?') return 'help';
  if (key === 'f' && event.shiftKey) return 'fitView';
  if (key === 'l' && event.shiftKey) return 'autoLayout';
  if (key === 'n' && event.shiftKey) return 'addNote';
  return undefined;
}

/** Whether a key event comes from somewhere the user types (inputs, text areas, editable text). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(type);
  }
  return el.closest('[contenteditable="true"], .cm-editor') !== null;
}

/** What the help overlay lists, in groups. `Mod` reads Ctrl (Cmd on a Mac). */
export const SHORTCUT_HELP: Array<{ group: string; items: Array<{ keys: string[]; label: string }> }> = [
  {
    group: 'Workflow',
    items: [
      { keys: ['Mod', 'S'], label: 'Save a new version' },
      { keys: ['Mod', 'Enter'], label: 'Run' },
      { keys: ['Mod', 'B'], label: 'Show or hide the node palette' },
      { keys: ['?'], label: 'Show these shortcuts' },
    ],
  },
  {
    group: 'Edit',
    items: [
      { keys: ['Mod', 'Z'], label: 'Undo' },
      { keys: ['Mod', 'Shift', 'Z'], label: 'Redo (also Mod+Y)' },
      { keys: ['Mod', 'C'], label: 'Copy selection' },
      { keys: ['Mod', 'X'], label: 'Cut selection' },
      { keys: ['Mod', 'V'], label: 'Paste' },
      { keys: ['Mod', 'D'], label: 'Duplicate selection' },
      { keys: ['Mod', 'A'], label: 'Select all' },
      { keys: ['Delete'], label: 'Delete selection (also Backspace)' },
    ],
  },
  {
    group: 'Canvas',
    items: [
      { keys: ['Shift', 'Drag'], label: 'Select with a box' },
      { keys: ['Shift', 'Click'], label: 'Add to selection' },
      { keys: ['Enter'], label: 'Open the focused node' },
      { keys: ['Arrows'], label: 'Move the selected nodes' },
      { keys: ['Shift', 'F'], label: 'Zoom to fit' },
      { keys: ['Shift', 'L'], label: 'Tidy up (auto-layout)' },
      { keys: ['Shift', 'N'], label: 'Add a sticky note' },
      { keys: ['Esc'], label: 'Close panel / clear selection' },
    ],
  },
];
