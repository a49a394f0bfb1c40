/**
 * The lab's keyboard shortcuts, decided from the key and what has focus. They must work whatever
 * control was used last: a focused slider would otherwise move by its own step (2 ms on a 4 s run)
 * on an arrow key, a focused speed box would change speed, and a focused button would click on
 * Space. So the view listens in the capture phase and takes the key before the control does. Only
 * places where the user types text (a text field, a text area, an editor) keep their keys. Pure:
 * unit-tested without a DOM.
 */

export type Shortcut =
  | { kind: 'toggle-play' }
  | { kind: 'seek-by'; ms: number }
  | { kind: 'seek-start' }
  | { kind: 'seek-end' }
  | { kind: 'step' }
  | { kind: 'speed'; dir: 1 | -1 }
  | { kind: 'escape' };

/** The speeds offered (virtual ms per wall ms); `[` and `]` move along this list. */
export const SPEEDS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000];

/** The next offered speed above (`dir` 1) or below (-1) `current`, staying at the ends. */
export function nextSpeed(current: number, dir: 1 | -1): number {
  if (dir > 0) return SPEEDS.find((s) => s > current + 1e-9) ?? SPEEDS[SPEEDS.length - 1]!;
  return [...SPEEDS].reverse().find((s) => s < current - 1e-9) ?? SPEEDS[0]!;
}

/** What a key event looks like to `shortcutFor` (a KeyboardEvent has all of these). */
export interface KeyLike {
  code: string;
  key?: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** What has focus, as far as shortcuts care. */
export interface FocusLike {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Input types where Space and arrows edit text. A range, checkbox, button or file input does not. */
const TEXT_INPUTS = new Set(['text', 'search', 'email', 'password', 'url', 'tel', 'number', '']);

/** True if keys typed here are text (so no shortcut may take them). */
export function isTextEntry(el: FocusLike | null | undefined): boolean {
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA') return true;
  if (tag === 'INPUT') return TEXT_INPUTS.has((el.type ?? 'text').toLowerCase());
  return false;
}

/** Virtual ms an arrow key moves the timeline: 100 ms, or 1 s with Shift. */
export const ARROW_MS = 100;
export const SHIFT_ARROW_MS = 1000;

/** The shortcut for this key with this focus, or null (the key is left to the page). */
export function shortcutFor(e: KeyLike, focus: FocusLike | null | undefined): Shortcut | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  if (isTextEntry(focus)) return e.code === 'Escape' ? { kind: 'escape' } : null;
  switch (e.code) {
    case 'Space':
      return e.shiftKey ? null : { kind: 'toggle-play' };
    case 'ArrowRight':
      return { kind: 'seek-by', ms: e.shiftKey ? SHIFT_ARROW_MS : ARROW_MS };
    case 'ArrowLeft':
      return { kind: 'seek-by', ms: -(e.shiftKey ? SHIFT_ARROW_MS : ARROW_MS) };
    case 'Home':
      return { kind: 'seek-start' };
    case 'End':
      return { kind: 'seek-end' };
    case 'Period':
      return e.shiftKey ? null : { kind: 'step' };
    case 'BracketRight':
      return { kind: 'speed', dir: 1 };
    case 'BracketLeft':
      return { kind: 'speed', dir: -1 };
    case 'Escape':
      return { kind: 'escape' };
    default:
      return null;
  }
}

/** The help line shown in the app (one place, so it cannot drift from what the keys do). */
export const SHORTCUT_HELP: readonly [string, string][] = [
  ['Space', 'play / pause'],
  ['← →', `${ARROW_MS} ms back / forward`],
  ['Shift+← →', `${SHIFT_ARROW_MS / 1000} s back / forward`],
  ['Home / End', 'start / furthest time'],
  ['.', 'step'],
  ['[ ]', 'slower / faster'],
  ['Esc', 'clear the selection'],
];
