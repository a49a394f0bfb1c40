/**
 * The ideal schedule (`protocol.scheduler: ideal`) against the Kumar-Ross bound, in each of the bound's
 * three regimes (the swarm's total upload, the seed's upload, the slowest download), where a schedule
 * that wasted the seed's upload on copies, left uplinks idle or fed some peers before others would land
 * well above it; beside BitTorrent's rules on the same world; deterministic; and its set-up errors.
 */
import { describe, expect, it } from 'vitest';
import { flashCrowdRun, type FlashCrowdOptions } from '../../../src/protocols/bittorrent/flash-crowd.js';
import { parseScenario, ScenarioError } from '../../../src/lab/scenario.js';
import type { IdealRun } from '../../../src/protocols/bittorrent/ideal/run.js';
import { createSession } from '../../../src/lab/session.js';
import { inspectors } from '../../../src/protocols/inspectors.js';
import { expectSeekEqualsStraightRun } from '../keyframe-check.js';

const KiB = 1024, MiB = 1024 * 1024;
/** Two classes as in the shipped flash crowd (fast: 4x the upload of slow), 100 leechers, 8 MiB. */
const twoClass: FlashCrowdOptions = {
  leechers: 100,
  seed: 1,
  fileSize: 8 * MiB,
  pieceLength: 256 * KiB,
  blockSize: 16 * KiB,
  upBps: 0,
  downBps: 0,
  seedUpBps: 2.5 * MiB,
  classes: [
    { fraction: 0.5, upBps: 2.5 * MiB, downBps: 12.5 * MiB },
    { fraction: 0.5, upBps: 0.625 * MiB, downBps: 3.125 * MiB },
  ],
};

function run(o: Partial<FlashCrowdOptions>, scheduler: 'ideal' | 'bittorrent' = 'ideal') {
  const fc = flashCrowdRun({ ...twoClass, ...o, params: { ...o.params, scheduler } });
  fc.go();
  return { fc, s: fc.run.summary() };
}

describe('the ideal schedule against the Kumar-Ross bound (seed 1)', () => {
  it('two classes, bound set by the total upload: the ideal within 1.06x, BitTorrent’s rules far above it', () => {
    const I = run({}), ideal = I.s, bt = run({}, 'bittorrent').s;
    console.log(`two-class 100: ideal ${ideal.lastCompletionMs} ms (${ideal.boundRatio}), bittorrent ${bt.lastCompletionMs} ms (${bt.boundRatio}), bound ${ideal.lowerBoundMs} ms`);
    // N F / (u_s + sum u), the classes drawn at random (about half each)
    const total = [...I.fc.world.net.up].reduce((a, b) => a + b, 0);
    expect(ideal.lowerBoundMs).toBeCloseTo((100 * 8 * MiB) / total, 6);
    expect(total / (((2.5 + 50 * 2.5 + 50 * 0.625) * MiB) / 1000)).toBeCloseTo(1, 0);
    expect(ideal.lowerBoundMs).toBe(bt.lowerBoundMs);
    expect(ideal.completed).toBe(1);
    expect(ideal.boundRatio as number).toBeGreaterThanOrEqual(1);
    expect(ideal.boundRatio as number).toBeLessThanOrEqual(1.06);
    // everyone finishes together: the bound's term assumes every download keeps pace
    expect((ideal.meanCompletionMs as number) / (ideal.lastCompletionMs as number)).toBeGreaterThan(0.97);
    // every block once: no duplicates, and the uploads add up to N F exactly
    expect(ideal.duplicateBytes).toBe(0);
    expect(ideal.uploadedBytes).toBe(100 * 8 * MiB);
    // the fast class uploads 4x the slow class's rate for the whole run: share ratios near 1.6 and 0.4
    expect(ideal.shareRatioMax as number).toBeGreaterThan(1.5);
    expect(ideal.shareRatioMin as number).toBeLessThan(0.5);
    expect(bt.boundRatio as number).toBeGreaterThan(1.15);
  });

  // a seed that sent copies before every block was out, or downloads left idle, would land well above 1.05x
  const regimes: [string, Partial<FlashCrowdOptions>, number][] = [
    // F/u_s = 8 MiB / 0.25 MiB/s = 32 s; N F/(u_s + sum u) = 20 * 8 / (0.25 + 20 * 0.5) = 15.6 s
    ['the seed’s upload (every block handed out once before any twice)', { seedUpBps: 0.25 * MiB, classes: [{ fraction: 1, upBps: 0.5 * MiB, downBps: 2 * MiB }] }, 32_000],
    // F/d = 8 MiB / 0.5 MiB/s = 16 s; F/u_s = 4 s; N F/(u_s + sum u) = 20 * 8 / (2 + 20 * 2) = 3.8 s
    ['the slowest download', { seedUpBps: 2 * MiB, classes: [{ fraction: 1, upBps: 2 * MiB, downBps: 0.5 * MiB }] }, 16_000],
  ];
  for (const [what, o, bound] of regimes)
    it(`bound set by ${what}: within 1.05x`, () => {
      const { s } = run({ leechers: 20, ...o });
      console.log(`${what}: last ${s.lastCompletionMs} ms, bound ${s.lowerBoundMs} ms, ratio ${s.boundRatio}`);
      expect(s.lowerBoundMs).toBeCloseTo(bound, 6);
      expect(s.boundRatio as number).toBeGreaterThanOrEqual(1);
      expect(s.boundRatio as number).toBeLessThanOrEqual(1.05);
    });

  it('free riders upload nothing and the bound leaves their upload out', () => {
    const { fc, s } = run({ params: { freeRiders: 0.2 } });
    const swarm = (fc.run as IdealRun).swarm;
    let riders = 0;
    for (let p = 1; p < fc.world.size; p++) {
      const st = swarm.state(p)!;
      if (st.freeRider) {
        expect(st.uploaded).toBe(0);
        riders++;
      } else expect(st.uploaded).toBeGreaterThan(0);
    }
    console.log(`free riders: ${riders} of 100, ratio ${s.boundRatio}`);
    expect(riders).toBeGreaterThan(10);
    expect(s.completed).toBe(1);
    expect(s.boundRatio as number).toBeGreaterThanOrEqual(1);
    expect(s.boundRatio as number).toBeLessThanOrEqual(1.1);
  });

  it('same seed, same run; another seed, another run', () => {
    const o = { leechers: 30, fileSize: 2 * MiB };
    const a = run(o).s, b = run(o).s, c = run({ ...o, seed: 2 }).s;
    expect(b).toEqual(a);
    expect(c.meanCompletionMs).not.toBe(a.meanCompletionMs);
  });
});

describe('the ideal schedule in the lab', () => {
  const scenario = (protocol: string, extra = '') => `
name: ideal
peers: 41
network:
  latency: { model: geo }
  bandwidth:
    - { fraction: 0.5, up: 20Mbit/s, down: 100Mbit/s }
    - { fraction: 0.5, up: 5Mbit/s, down: 25Mbit/s }
${extra}
protocol: { type: bittorrent, fileSize: 2MiB, ${protocol} }
until: { complete: true, max: 10min }
`;

  it('a bad scheduler, or corrupt peers with the ideal one, is refused at parse with the key', () => {
    expect(() => parseScenario(scenario('scheduler: fastest'))).toThrow(ScenarioError);
    expect(() => parseScenario(scenario('scheduler: fastest'))).toThrow(/protocol\.scheduler: expected one of "bittorrent", "ideal", got "fastest"/);
    expect(() => parseScenario(scenario('scheduler: ideal, corruptPeers: 0.1'))).toThrow(/protocol\.corruptPeers: the ideal scheduler sends only good blocks/);
    expect(() => parseScenario(scenario('scheduler: bittorrent, corruptPeers: 0.1'))).not.toThrow();
  });

  it('the dashboard’s inspector shows an ideal peer’s blocks, pieces and transfers', () => {
    const session = createSession(parseScenario(scenario('scheduler: ideal')));
    session.advance(300);
    const sending = [...Array(41).keys()].map((p) => inspectors.bittorrent!(session.run, p)).filter((i) => i.neighbours.length > 0);
    expect(sending.length).toBeGreaterThan(0);
    const seed = inspectors.bittorrent!(session.run, 0);
    expect(seed.sections[0]).toMatchObject({ kind: 'facts', rows: expect.arrayContaining([{ label: 'Seed from the start', value: true }]) });
    expect(seed.sections[1]).toMatchObject({ kind: 'bits', bits: '1'.repeat(8) });
    while (!session.isDone()) session.advance(1000);
    expect(inspectors.bittorrent!(session.run, 7).sections[1]).toMatchObject({ bits: '1'.repeat(8) });
  });

  it('finishes under loss, the seed leaving: lost blocks are sent again; a keyframe restores the run exactly', () => {
    const sc = parseScenario(scenario('scheduler: ideal, seedLeaveMs: 5s', '  loss: 0.02'));
    expectSeekEqualsStraightRun(sc, [0, 700, 2500]);
    const session = createSession(sc);
    while (!session.isDone()) session.advance(1000);
    const s = session.run.summary();
    console.log(`ideal, 2% loss: last ${s.lastCompletionMs} ms, bound ${s.lowerBoundMs} ms`);
    expect(session.endReason).toBe('complete');
    expect(s.completed).toBe(1);
  });
});
