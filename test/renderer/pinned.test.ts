// Two runs' charts side by side (renderer/src/compare/pinned.ts): a pinned run is a frozen copy, charts
// pair by id whichever run has them, and the shared y axis reaches above both runs' values.
import { describe, expect, it } from 'vitest';
import { planCharts } from '../../renderer/src/charts/plan.js';
import { niceCeil, pairPlans, pinRun, sharedTop } from '../../renderer/src/compare/pinned.js';

describe('pinned run', () => {
  it('is a copy: the live series going on does not change it; its end is the furthest point', () => {
    const live = new Map([
      ['reached', { t: [0, 100, 250], v: [0, 0.5, 1] }],
      ['net.online', { t: [0, 300], v: [200, 199] }],
    ]);
    const pin = pinRun(live, null, 'gossip · seed 1 · t = 300 ms');
    live.get('reached')!.t.push(400);
    live.get('reached')!.v[0] = 9;
    live.set('other', { t: [1], v: [1] });
    expect(pin.series.get('reached')).toEqual({ t: [0, 100, 250], v: [0, 0.5, 1] });
    expect([...pin.series.keys()]).toEqual(['reached', 'net.online']);
    expect(pin.endMs).toBe(300);
    expect(pin.caption).toBe('gossip · seed 1 · t = 300 ms');
  });

  it('pairs charts by id: shared ones hold both runs’ lines, the others say which run has them', () => {
    const now = planCharts(['reached', 'net.messages', 'net.online'], null);
    const before = planCharts(['lookupHops', 'net.messages'], null);
    const pairs = pairPlans(now, before);
    expect(pairs.map((p) => [p.plan.id, p.inPinned, p.inCurrent])).toEqual([
      ['p-none', true, true],
      ['net-rate', true, true],
      ['net-online', false, true],
    ]);
    // the protocol chart of each run keeps its own series
    expect(pairs[0]!.plan.lines.map((l) => l.key)).toEqual(['reached']);
    expect(pairs[0]!.pinnedLines.map((l) => l.key)).toEqual(['lookupHops']);
    const only = pairPlans(planCharts(['net.online'], null), planCharts(['net.messages'], null));
    expect(only.map((p) => [p.plan.id, p.inPinned, p.inCurrent])).toEqual([
      ['net-online', false, true],
      ['net-rate', true, false],
    ]);
  });

  it('the shared y top is a round number above both runs, a share stops at 100%', () => {
    expect(sharedTop([3, 17, 42], null)).toBe(50);
    expect(sharedTop([0.2, 1], 1)).toBe(1);
    expect(sharedTop([0.2, 0.4], 1)).toBe(1);
    expect(sharedTop([], null)).toBe(1);
    expect(sharedTop([Number.NaN, 130], null)).toBe(200);
    expect([0.07, 1, 1.2, 2.2, 3, 9, 10.5, 2400].map(niceCeil)).toEqual([0.1, 1, 2, 2.5, 5, 10, 20, 2500]);
  });
});
