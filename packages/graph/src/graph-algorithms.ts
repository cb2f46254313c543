/**
 * Graph algorithms over nodes numbered 0..n-1 with successor lists. Iterative throughout,
 * so a long chain cannot overflow the stack.
 */

/** A binary min-heap of numbers. */
class MinHeap {
  readonly #items: number[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(value: number): void {
    const items = this.#items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[i] = items[parent] as number;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as number) < (items[left] as number) ? right : left;
      if ((items[child] as number) >= last) break;
      items[i] = items[child] as number;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/**
 * Kahn's algorithm; among ready nodes the lowest number goes first, so the order is stable.
 * Returns null when the graph has a cycle. Nodes listed in `skip` are left out entirely.
 */
export function stableTopologicalOrder(
  successors: readonly (readonly number[])[],
  skip?: ReadonlySet<number>,
): number[] | null {
  const n = successors.length;
  const indegree = new Array<number>(n).fill(0);
  for (let u = 0; u < n; u++) {
    if (skip?.has(u)) continue;
    for (const v of successors[u] as number[]) if (!skip?.has(v)) indegree[v] = (indegree[v] as number) + 1;
  }
  const ready = new MinHeap();
  for (let u = 0; u < n; u++) if (!skip?.has(u) && indegree[u] === 0) ready.push(u);
  const order: number[] = [];
  while (ready.size > 0) {
    const u = ready.pop() as number;
    order.push(u);
    for (const v of successors[u] as number[]) {
      if (skip?.has(v)) continue;
      indegree[v] = (indegree[v] as number) - 1;
      if (indegree[v] === 0) ready.push(v);
    }
  }
  return order.length === n - (skip?.size ?? 0) ? order : null;
}

/** Strongly connected components with more than one node (Tarjan), each sorted ascending, listed by lowest member. */
export function cyclicComponents(successors: readonly (readonly number[])[]): number[][] {
  const n = successors.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: number; next: number };
      const succ = successors[frame.node] as number[];
      if (frame.next < succ.length) {
        const v = succ[frame.next++] as number;
        if (index[v] === -1) {
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = true;
          work.push({ node: v, next: 0 });
        } else if (onStack[v]) {
          low[frame.node] = Math.min(low[frame.node] as number, index[v] as number);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node] as number, low[frame.node] as number);
      if (low[frame.node] === index[frame.node]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = false;
          component.push(w);
        } while (w !== frame.node);
        if (component.length > 1) components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components.sort((a, b) => (a[0] as number) - (b[0] as number));
}

/**
 * One simple cycle through `start` inside a strongly connected component, as the list of
 * nodes from `start` back to (excluding) `start`. Breadth-first, so the cycle is a short one.
 */
export function cycleThrough(
  start: number,
  component: readonly number[],
  successors: readonly (readonly number[])[],
): number[] {
  const inside = new Set(component);
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head] as number;
    for (const v of successors[u] as number[]) {
      if (!inside.has(v)) continue;
      if (v === start) {
        const path = [u];
        let p = u;
        while (p !== start) {
          p = previous.get(p) as number;
          path.push(p);
        }
        return path.reverse();
      }
      if (!previous.has(v)) {
        previous.set(v, u);
        queue.push(v);
      }
    }
  }
  return [start];
}

/** Nodes reachable from `start` (including it). */
export function reachableFrom(start: number, successors: readonly (readonly number[])[]): Set<number> {
  const seen = new Set<number>([start]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    for (const v of successors[queue[head] as number] as number[]) {
      if (!seen.has(v)) {
        seen.add(v);
        queue.push(v);
      }
    }
  }
  return seen;
}
