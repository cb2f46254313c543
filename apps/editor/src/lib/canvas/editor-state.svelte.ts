import { History } from './history.ts';
import type { WorkflowGraph } from './types.ts';

/**
 * The graph being edited, with undo / redo and an unsaved-changes flag. Every edit goes through
 * `apply`; the canvas and the panels only read `graph`.
 *
 * @example
 * const doc = new EditorDocument(graph);
 * doc.apply(addNode(doc.graph, type, at).graph);
 * doc.undo();
 */
export class EditorDocument {
  graph = $state.raw<WorkflowGraph>() as WorkflowGraph;
  saved = $state.raw<WorkflowGraph>() as WorkflowGraph;
  canUndo = $state(false);
  canRedo = $state(false);
  readonly dirty = $derived(this.graph !== this.saved);
  #history: History<WorkflowGraph>;

  constructor(graph: WorkflowGraph) {
    this.graph = graph;
    this.saved = graph;
    this.#history = new History(graph);
  }

  apply(next: WorkflowGraph, options: { coalesce?: string } = {}): void {
    if (next === this.graph) return;
    this.#history.push(next, options);
    this.graph = next;
    this.#sync();
  }

  undo(): boolean {
    const previous = this.#history.undo();
    if (previous === undefined) return false;
    this.graph = previous;
    this.#sync();
    return true;
  }

  redo(): boolean {
    const next = this.#history.redo();
    if (next === undefined) return false;
    this.graph = next;
    this.#sync();
    return true;
  }

  /** Replaces everything (another workflow, a reload): no undo across it. */
  load(graph: WorkflowGraph): void {
    this.#history.reset(graph);
    this.graph = graph;
    this.saved = graph;
    this.#sync();
  }

  /** The graph as saved: the unsaved flag clears while `graph` is still this object. */
  markSaved(graph: WorkflowGraph): void {
    this.saved = graph;
  }

  #sync(): void {
    this.canUndo = this.#history.canUndo;
    this.canRedo = this.#history.canRedo;
  }
}
