// What the dashboard charts and how it names them (charts/plan.ts, observe/summary.ts, graph/legend.ts):
// one unit per chart, y from zero, shares up to 100%, theory lines, labels and units from the contract.
import { describe, expect, it } from 'vitest';
import { planCharts } from '../../renderer/src/charts/plan.js';
import { legendOf } from '../../renderer/src/graph/legend.js';
import { Palette } from '../../renderer/src/observe/palette.js';
import type { ObservationData } from '../../renderer/src/observe/spec.js';
import { summaryRows } from '../../renderer/src/observe/summary.js';

const OBS: ObservationData = {
  protocol: 'gossip',
  metrics: [
    { key: 'reached', label: 'Reached (mean over broadcasts)', unit: 'fraction', description: 'share of peers each broadcast reached', better: 'higher', theory: null },
    { key: 'roundsToAll', label: 'Rounds to reach all', unit: 'count', description: 'gossip rounds', better: 'lower', theory: { label: 'log3 N + ln ln N', value: 6.49 } },
    { key: 'bytesPerPeer', label: 'Bytes per peer', unit: 'bytes', description: 'bytes sent per peer', better: 'lower', theory: null },
    { key: 'timeToAllMs', label: 'Time to reach all', unit: 'ms', description: '', better: 'lower', theory: null },
  ],
  series: [
    { key: 'reached', label: 'Reached', unit: 'fraction', description: 'share of peers holding the latest broadcast', better: 'higher', theory: null },
    { key: 'infected', label: 'Spreading', unit: 'fraction', description: 'share still forwarding', better: null, theory: null },
    { key: 'latencyMs', label: 'Delivery latency', unit: 'ms', description: '', better: 'lower', theory: { label: 'bound', value: 400 } },
    { key: 'net.messages', label: 'Messages sent', unit: 'messages', description: 'cumulative', better: null, theory: null },
    { key: 'net.online', label: 'Peers online', unit: 'peers', description: 'online now', better: null, theory: null },
  ],
  states: [
    { name: 'susceptible', label: 'has not got it', colour: '#94a3b8', description: '' },
    { name: 'infected', label: 'has it, spreading', colour: '#f97316', description: '' },
  ],
  linkKinds: [{ name: 'tree', label: 'delivered along', colour: '#64748b', description: '', rewiring: false }],
  events: [],
  value: null,
};

describe('planCharts', () => {
  it('one chart per unit, in the contract order, then messages per second and peers online', () => {
    const plans = planCharts(['reached', 'infected', 'net.messages', 'net.online'], OBS);
    expect(plans.map((p) => [p.id, p.title, p.unit, p.yTitle, p.yMax])).toEqual([
      ['p-fraction', 'Reached, Spreading', 'fraction', 'share (%)', 1],
      ['p-ms', 'Delivery latency', 'ms', 'time (ms)', null],
      ['net-rate', 'Messages sent per second', 'messages/s', 'messages/s', null],
      ['net-online', 'Peers online', 'peers', 'peers', null],
    ]);
    expect(plans[0]!.lines.map((l) => l.key)).toEqual(['reached', 'infected']);
    expect(new Set(plans[0]!.lines.map((l) => l.colour)).size).toBe(2);
    expect(plans[1]!.theory).toEqual([{ label: 'Delivery latency: bound', value: 400 }]);
    expect(plans[2]!.lines[0]).toMatchObject({ key: 'net.messages', rate: true });
    expect(plans[3]!.lines[0]).toMatchObject({ key: 'net.online', step: true });
  });
  it('a series nobody declared is still charted, readably named, never in camelCase', () => {
    const plans = planCharts(['payloadMessagesPerPeer', 'net.online'], null);
    expect(plans.map((p) => p.title)).toEqual(['Payload messages per peer', 'Peers online']);
  });
});

describe('summaryRows', () => {
  it('labels, units and theory from the contract; undeclared keys after, readable', () => {
    const rows = summaryRows({ reached: 0.8134, roundsToAll: 7, bytesPerPeer: 17410.3, timeToAllMs: 3450, payloadMessagesPerPeer: 26523.4, variant: 'push-pull' }, OBS);
    expect(rows.map((r) => [r.label, r.value, r.theory])).toEqual([
      ['Reached (mean over broadcasts)', '81.3%', ''],
      ['Rounds to reach all', '7', 'theory 6.49'],
      ['Bytes per peer', '17.4 kB', ''],
      ['Time to reach all', '3.45 s', ''],
      ['Payload messages per peer', '26\u202f523', ''],
      ['Variant', 'push-pull', ''],
    ]);
    expect(rows[1]!.title).toContain('Lower is better.');
    expect(rows[1]!.title).toContain('Theory: 6.49 (log3 N + ln ln N).');
    expect(rows.every((r) => !/[a-z][A-Z]/.test(r.label))).toBe(true);
  });
});

describe('legendOf', () => {
  it('every declared state and link kind with its count, offline apart, no rewiring entries where nothing rewires', () => {
    const legend = legendOf(new Palette(OBS), {
      run: 1,
      timeMs: 0,
      totalPeers: 4,
      peers: [
        { id: 0, alive: true, state: 'infected' },
        { id: 1, alive: true, state: 'infected' },
        { id: 2, alive: false, state: 'infected' },
        { id: 3, alive: true, state: 'removed' },
      ],
      links: [[0, 1]],
    });
    expect(legend.nodes.map((e) => [e.label, e.count, e.colour])).toEqual([
      ['has not got it', 0, '#94a3b8'],
      ['has it, spreading', 2, '#f97316'],
      ['Removed', 1, new Palette(null).colour('removed')],
      ['offline', 1, '#d4d4d8'],
    ]);
    expect(legend.links.map((e) => [e.label, e.count])).toEqual([['delivered along', 1]]);
    expect(legend.size).toBeNull();
  });
});
