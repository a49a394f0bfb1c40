// One number format for every view and report (src/core/format.ts).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fuzz } from '../fuzz.js';
import { formatBytes, formatClock, formatDuration, formatNumber, formatPercent, formatQuantity, formatTick } from '../../src/core/format.js';

const NB = '\u202f';

describe('formatNumber', () => {
  it('groups thousands, keeps 3 significant digits below them, never an exponent', () => {
    expect(formatNumber(1343488)).toBe(`1${NB}343${NB}488`);
    expect(formatNumber(26523.4)).toBe(`26${NB}523`);
    expect(formatNumber(1085)).toBe('1085');
    expect(formatNumber(30.28)).toBe('30.3');
    expect(formatNumber(0.813)).toBe('0.813');
    expect(formatNumber(0.000123)).toBe('0.000123');
    expect(formatNumber(-4.5)).toBe('−4.5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('—');
  });
  it('never writes an exponent and reads back within its precision (property)', () => {
    fuzz(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), (v) => {
        const s = formatNumber(v);
        expect(s).not.toMatch(/e/i);
        const back = Number(s.replace(/\u202f/g, '').replace('−', '-'));
        if (Math.abs(v) >= 1e-9) expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.max(0.5, Math.abs(v) * 0.006));
      }),
      { numRuns: 300 },
    );
  });
});

describe('quantities in their units', () => {
  it('times, sizes, shares, ratios and countable units', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(3450)).toBe('3.45 s');
    expect(formatDuration(125_400)).toBe('2 min 5 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatBytes(26_500)).toBe('26.5 kB');
    expect(formatBytes(3_300_000)).toBe('3.3 MB');
    expect(formatPercent(0.8134)).toBe('81.3%');
    expect(formatPercent(0.9999)).toBe('99.9%');
    expect(formatPercent(0.0004)).toBe('0.1%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatQuantity(17410.3, 'bytes')).toBe('17.4 kB');
    expect(formatQuantity(30.28, 'messages')).toBe('30.3 messages');
    expect(formatQuantity(1, 'hops')).toBe('1 hop');
    expect(formatQuantity(1.234, 'ratio')).toBe('1.23×');
    expect(formatQuantity(2.5, 's')).toBe('2.5 s');
    expect(formatQuantity(null, 'ms')).toBe('—');
    expect(formatQuantity('push-pull', 'none')).toBe('push-pull');
    expect(formatQuantity(true)).toBe('yes');
  });
  it('axis ticks are short and say shares as percent', () => {
    expect(formatTick(0.25, 'fraction')).toBe('25%');
    expect(formatTick(12000, 'messages/s')).toBe('12 k');
    expect(formatTick(2_500_000, 'bytes')).toBe('2.5 M');
    expect(formatTick(0.5, 'none')).toBe('0.5');
  });
  it('the clock keeps milliseconds', () => {
    expect(formatClock(3450)).toBe('3.450 s');
    expect(formatClock(185_200)).toBe('3 min 05.2 s');
  });
});
