import { describe, expect, it } from 'vitest';
import {
  CONSOLE_SHORTCUTS,
  isHelpKey,
  type KeyPress,
} from '../../../src/renderer/src/components/shortcuts/consoleShortcuts';

function press(key: string, extra: Partial<KeyPress> = {}): KeyPress {
  return { key, ctrlKey: false, altKey: false, metaKey: false, repeat: false, isComposing: false, ...extra };
}

describe('console shortcuts', () => {
  it('lists Esc as Stop (hold), mirrored by the header button, answering everywhere', () => {
    const esc = CONSOLE_SHORTCUTS.find((shortcut) => shortcut.keys.includes('Esc'));
    expect(esc?.action).toMatch(/^Stop \(hold\)/);
    expect(esc?.button).toMatch(/^Stop \(hold\)/);
    expect(esc?.where).toMatch(/everywhere/);
  });

  it('gives every shortcut a button', () => {
    for (const shortcut of CONSOLE_SHORTCUTS) {
      expect(shortcut.keys.length, shortcut.action).toBeGreaterThan(0);
      expect(shortcut.button.trim(), shortcut.action).not.toBe('');
    }
    const keys = CONSOLE_SHORTCUTS.flatMap((shortcut) => shortcut.keys);
    for (const key of ['Esc', 'Space', 'Enter', '↑', '↓', 'G', 'B', 'U', 'S', '←', '→', 'K', '?']) {
      expect(keys).toContain(key);
    }
  });

  it('opens the overlay on a plain ? only', () => {
    expect(isHelpKey(press('?'))).toBe(true);
    expect(isHelpKey(press('/'))).toBe(false);
    expect(isHelpKey(press('?', { ctrlKey: true }))).toBe(false);
    expect(isHelpKey(press('?', { repeat: true }))).toBe(false);
    expect(isHelpKey(press('?', { isComposing: true }))).toBe(false);
  });
});
