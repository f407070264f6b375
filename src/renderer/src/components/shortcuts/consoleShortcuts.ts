/**
 * Every keyboard shortcut of the console, with the visible button it mirrors (a key never does something no button
 * does). The bindings live in the components named in `boundIn`; this list describes them for the shortcut overlay
 * (`?`) and must follow them.
 */
export interface ConsoleShortcut {
  /** Keys as printed on the keyboard; several are alternatives. */
  keys: string[];
  /** What the key does. */
  action: string;
  /** The button that does the same, where to find it. */
  button: string;
  /** Where the key answers. */
  where: string;
  boundIn: string;
}

export const CONSOLE_SHORTCUTS: readonly ConsoleShortcut[] = [
  {
    keys: ['Esc'],
    action: 'Stop (hold): stop all motion, hold the arm, end the attempt',
    button: 'Stop (hold), header (top right)',
    where: 'everywhere, even while typing and with this overlay open (it also closes the overlay)',
    boundIn: 'StopHoldButton',
  },
  {
    keys: ['Space'],
    action: 'Stop (hold)',
    button: 'Stop (hold), header (top right)',
    where: 'everywhere except while typing in a field',
    boundIn: 'StopHoldButton',
  },
  {
    keys: ['Enter'],
    action: 'Run the typed instruction',
    button: '▶ Run, command bar',
    where: 'command bar',
    boundIn: 'CommandBar',
  },
  {
    keys: ['↑', '↓'],
    action: 'Recall a recent instruction',
    button: 'Recent…, command bar',
    where: 'command bar',
    boundIn: 'CommandBar',
  },
  {
    keys: ['G'],
    action: 'Label the attempt good',
    button: 'Good, label prompt',
    where: 'label prompt after an attempt',
    boundIn: 'LabelPrompt',
  },
  {
    keys: ['B'],
    action: 'Label the attempt bad',
    button: 'Bad, label prompt',
    where: 'label prompt after an attempt',
    boundIn: 'LabelPrompt',
  },
  {
    keys: ['U'],
    action: 'Label the attempt unsure',
    button: 'Unsure, label prompt',
    where: 'label prompt after an attempt',
    boundIn: 'LabelPrompt',
  },
  {
    keys: ['S'],
    action: 'Skip labelling (does not hold the arm)',
    button: 'Skip, label prompt',
    where: 'label prompt after an attempt',
    boundIn: 'LabelPrompt',
  },
  {
    keys: ['←', '→'],
    action: 'One frame back / forward (hold to repeat)',
    button: '◂ Frame / Frame ▸, episode replay',
    where: 'episode replay, while the focus is in it',
    boundIn: 'ReplayView',
  },
  {
    keys: ['K'],
    action: 'Play / pause',
    button: '▶ Play / ❚❚ Pause, episode replay',
    where: 'episode replay, while the focus is in it',
    boundIn: 'ReplayView',
  },
  {
    keys: ['Enter'],
    action: 'Open the focused row',
    button: 'the row itself (click it)',
    where: 'training jobs, model versions',
    boundIn: 'TrainingJobList, ModelVersions',
  },
  {
    keys: ['?'],
    action: 'Show or hide this list of shortcuts',
    button: '?, header',
    where: 'everywhere except while typing in a field',
    boundIn: 'ShortcutOverlay',
  },
];

/** The parts of a key press the overlay's `?` answers to (a KeyboardEvent has them all). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  repeat: boolean;
  isComposing: boolean;
}

/** `?` (Shift+/ on most layouts): a plain press, not a repeat, not with Ctrl, Alt or Meta. */
export function isHelpKey(event: KeyPress): boolean {
  return event.key === '?' && !event.ctrlKey && !event.altKey && !event.metaKey && !event.repeat && !event.isComposing;
}
