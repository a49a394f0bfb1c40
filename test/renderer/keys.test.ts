// The lab's shortcuts (renderer/src/keys.ts): they work whatever control has focus (a slider, the
// speed box, a button), never inside a text field, and Shift+arrow moves one second.
import { describe, expect, it } from 'vitest';
import { isTextEntry, nextSpeed, shortcutFor, SPEEDS, type FocusLike, type KeyLike } from '../../renderer/src/keys.js';

const key = (code: string, mods: Partial<KeyLike> = {}): KeyLike => ({ code, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, ...mods });
const slider: FocusLike = { tagName: 'INPUT', type: 'range' };
const speedBox: FocusLike = { tagName: 'SELECT' };
const button: FocusLike = { tagName: 'BUTTON' };
const text: FocusLike = { tagName: 'INPUT', type: 'search' };

describe('shortcutFor', () => {
  it('Space plays or pauses after the slider, the speed box or a button had focus', () => {
    for (const f of [slider, speedBox, button, null, { tagName: 'BODY' }]) expect(shortcutFor(key('Space'), f), f?.tagName).toEqual({ kind: 'toggle-play' });
  });
  it('arrows move 100 ms, Shift+arrows 1 s, even on a focused slider (whose own step would be 2 ms)', () => {
    expect(shortcutFor(key('ArrowRight', { shiftKey: true }), slider)).toEqual({ kind: 'seek-by', ms: 1000 });
    expect(shortcutFor(key('ArrowLeft', { shiftKey: true }), slider)).toEqual({ kind: 'seek-by', ms: -1000 });
    expect(shortcutFor(key('ArrowRight'), speedBox)).toEqual({ kind: 'seek-by', ms: 100 });
    expect(shortcutFor(key('ArrowLeft'), button)).toEqual({ kind: 'seek-by', ms: -100 });
    expect(shortcutFor(key('Home'), slider)).toEqual({ kind: 'seek-start' });
    expect(shortcutFor(key('End'), slider)).toEqual({ kind: 'seek-end' });
    expect(shortcutFor(key('Period'), null)).toEqual({ kind: 'step' });
  });
  it('text fields, text areas and editors keep their keys (but Esc still clears)', () => {
    for (const f of [text, { tagName: 'INPUT' }, { tagName: 'INPUT', type: 'number' }, { tagName: 'TEXTAREA' }, { tagName: 'DIV', isContentEditable: true }]) {
      expect(isTextEntry(f)).toBe(true);
      expect(shortcutFor(key('Space'), f)).toBeNull();
      expect(shortcutFor(key('ArrowRight', { shiftKey: true }), f)).toBeNull();
      expect(shortcutFor(key('Escape'), f)).toEqual({ kind: 'escape' });
    }
    for (const f of [slider, speedBox, button, { tagName: 'INPUT', type: 'checkbox' }]) expect(isTextEntry(f)).toBe(false);
  });
  it('leaves keys with Ctrl, Alt or Meta to the browser, and unknown keys alone', () => {
    expect(shortcutFor(key('ArrowRight', { ctrlKey: true }), null)).toBeNull();
    expect(shortcutFor(key('Space', { metaKey: true }), null)).toBeNull();
    expect(shortcutFor(key('KeyR'), null)).toBeNull();
  });
  it('[ and ] step the speed along the offered list, staying at its ends, whatever control has focus', () => {
    expect(shortcutFor(key('BracketRight'), speedBox)).toEqual({ kind: 'speed', dir: 1 });
    expect(shortcutFor(key('BracketLeft'), slider)).toEqual({ kind: 'speed', dir: -1 });
    expect(shortcutFor(key('BracketLeft'), text)).toBeNull();
    expect(nextSpeed(1, 1)).toBe(2);
    expect(nextSpeed(1, -1)).toBe(0.5);
    expect(nextSpeed(3, 1)).toBe(5); // a speed set elsewhere goes to the next offered one
    expect(nextSpeed(3, -1)).toBe(2);
    expect(nextSpeed(SPEEDS[SPEEDS.length - 1]!, 1)).toBe(SPEEDS[SPEEDS.length - 1]);
    expect(nextSpeed(SPEEDS[0]!, -1)).toBe(SPEEDS[0]);
  });
});
