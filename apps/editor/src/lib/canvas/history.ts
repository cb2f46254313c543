/**
 * Undo / redo over immutable snapshots. Consecutive changes with the same coalescing key inside
 * `coalesceMs` (typing in one field, nudging one node) become one step.
 *
 * @example
 * const history = new History(graph);
 * history.push(next, { coalesce: 'params:code' });
 * const previous = history.undo(); // the graph before the edit
 */
export class History<T> {
  #past: T[] = [];
  #future: T[] = [];
  #present: T;
  #lastKey: string | undefined;
  #lastAt = 0;
  readonly #limit: number;
  readonly #coalesceMs: number;
  readonly #now: () => number;

  constructor(initial: T, options: { limit?: number; coalesceMs?: number; now?: () => number } = {}) {
    this.#present = initial;
    this.#limit = options.limit ?? 200;
    this.#coalesceMs = options.coalesceMs ?? 1000;
    this.#now = options.now ?? (() => Date.now());
  }

  get present(): T {
    return this.#present;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** Records `next` as the new present. Returns false when it is the present already. */
  push(next: T, options: { coalesce?: string } = {}): boolean {
    if (next === this.#present) return false;
    const now = this.#now();
    const merge =
      options.coalesce !== undefined &&
      options.coalesce === this.#lastKey &&
      now - this.#lastAt <= this.#coalesceMs &&
      this.#past.length > 0;
    if (!merge) {
      this.#past.push(this.#present);
      if (this.#past.length > this.#limit) this.#past.shift();
    }
    this.#present = next;
    this.#future = [];
    this.#lastKey = options.coalesce;
    this.#lastAt = now;
    return true;
  }

  /** Steps back; returns the new present, or undefined when there is nothing to undo. */
  undo(): T | undefined {
    const previous = this.#past.pop();
    if (previous === undefined) return undefined;
    this.#future.push(this.#present);
    this.#present = previous;
    this.#lastKey = undefined;
    return previous;
  }

  redo(): T | undefined {
    const next = this.#future.pop();
    if (next === undefined) return undefined;
    this.#past.push(this.#present);
    this.#present = next;
    this.#lastKey = undefined;
    return next;
  }

  /** Starts over from `state` (a loaded version): no undo across loads. */
  reset(state: T): void {
    this.#past = [];
    this.#future = [];
    this.#present = state;
    this.#lastKey = undefined;
  }
}
