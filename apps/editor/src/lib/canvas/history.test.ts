import { describe, expect, it } from 'vitest';
import { History } from './history.ts';

describe('History', () => {
  it('undoes and redoes in order', () => {
    const h = new History('a');
    h.push('b');
    h.push('c');
    expect(h.undo()).toBe('b');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeUndefined();
    expect(h.redo()).toBe('b');
    expect(h.present).toBe('b');
  });

  it('drops the redo branch on a new change', () => {
    const h = new History('a');
    h.push('b');
    h.undo();
    h.push('c');
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe('a');
  });

  it('coalesces changes with the same key inside the window', () => {
    let now = 0;
    const h = new History('', { now: () => now, coalesceMs: 1000 });
    h.push('h', { coalesce: 'name' });
    now = 200;
    h.push('he', { coalesce: 'name' });
    now = 400;
    h.push('hey', { coalesce: 'name' });
    expect(h.undo()).toBe('');
    expect(h.canUndo).toBe(false);
  });

  it('does not coalesce after the window or across keys', () => {
    let now = 0;
    const h = new History('', { now: () => now, coalesceMs: 1000 });
    h.push('a', { coalesce: 'x' });
    now = 5000;
    h.push('ab', { coalesce: 'x' });
    h.push('abc', { coalesce: 'y' });
    expect(h.undo()).toBe('ab');
    expect(h.undo()).toBe('a');
  });

  it('does not coalesce across an undo', () => {
    const h = new History('a', { now: () => 0 });
    h.push('b', { coalesce: 'k' });
    h.undo();
    h.push('c', { coalesce: 'k' });
    h.push('d', { coalesce: 'k' });
    expect(h.undo()).toBe('a');
  });

  it('ignores a push of the present and caps its length', () => {
    const h = new History(0, { limit: 3 });
    expect(h.push(0)).toBe(false);
    for (let i = 1; i <= 10; i++) h.push(i);
    let undone = 0;
    while (h.undo() !== undefined) undone++;
    expect(undone).toBe(3);
    expect(h.present).toBe(7);
  });

  it('reset forgets everything', () => {
    const h = new History('a');
    h.push('b');
    h.reset('z');
    expect(h.canUndo).toBe(false);
    expect(h.present).toBe('z');
  });
});
