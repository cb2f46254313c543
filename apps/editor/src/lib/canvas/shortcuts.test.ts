import { describe, expect, it } from 'vitest';
import { commandForKey } from './shortcuts.ts';

const key = (k: string, mods: Partial<{ ctrl: boolean; meta: boolean; shift: boolean; alt: boolean }> = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('commandForKey', () => {
  it('maps the editing shortcuts with Ctrl or Cmd', () => {
    expect(commandForKey(key('z', { ctrl: true }), false)).toBe('undo');
    expect(commandForKey(key('Z', { meta: true, shift: true }), false)).toBe('redo');
    expect(commandForKey(key('y', { ctrl: true }), false)).toBe('redo');
    expect(commandForKey(key('c', { meta: true }), false)).toBe('copy');
    expect(commandForKey(key('x', { ctrl: true }), false)).toBe('cut');
    expect(commandForKey(key('v', { ctrl: true }), false)).toBe('paste');
    expect(commandForKey(key('d', { ctrl: true }), false)).toBe('duplicate');
    expect(commandForKey(key('s', { ctrl: true }), false)).toBe('save');
  });

  it('maps plain keys', () => {
    expect(commandForKey(key('Delete'), false)).toBe('delete');
    expect(commandForKey(key('Backspace'), false)).toBe('delete');
    expect(commandForKey(key('?', { shift: true }), false)).toBe('help');
    expect(commandForKey(key('F', { shift: true }), false)).toBe('fitView');
    expect(commandForKey(key('a'), false)).toBeUndefined();
  });

  it('leaves typing alone except save, run and escape', () => {
    expect(commandForKey(key('Backspace'), true)).toBeUndefined();
    expect(commandForKey(key('z', { ctrl: true }), true)).toBeUndefined();
    expect(commandForKey(key('v', { ctrl: true }), true)).toBeUndefined();
    expect(commandForKey(key('?'), true)).toBeUndefined();
    expect(commandForKey(key('s', { ctrl: true }), true)).toBe('save');
    expect(commandForKey(key('Escape'), true)).toBe('escape');
  });
});
