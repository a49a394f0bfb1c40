/**
 * `protocol.type: sync` end to end over the network model: each mode converges every replica (real
 * Y.Docs) under the edit workload, late joiners catch up, churn and a healed partition still end in one
 * document, the overlay spends far fewer bytes per edit than the y-webrtc model, runs are deterministic,
 * bad keys are named, and the dashboard's timeline takes keyframes of a sync run (their exactness is
 * tested in snapshot.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { scenarioFromText } from '../../../src/lab/load.js';
import { parseScenario, ScenarioError } from '../../../src/lab/scenario.js';
import { runScenario } from '../../../src/lab/runner.js';
import { createSession } from '../../../src/lab/session.js';
import { KeyframeStore } from '../../../src/host/lab/keyframe-store.js';
import { SyncConfigError } from '../../../src/protocols/sync/errors.js';
import { createSyncRun, driver, type SyncParams, type SyncWorkload } from '../../../src/protocols/sync/driver.js';
import { Simulator, World } from '../../../src/sim/index.js';
import { shippedScenario } from '../keyframe-check.js';

type Summary = Record<string, unknown>;

function room(mode: string, extra = ''): string {
  return `name: sync test
seed: 3
peers: 60
network:
  latency: { model: geo, baseMs: 5, msPerUnit: 100, jitter: 0.1 }
protocol: { type: sync, mode: ${mode} }
workload: { editors: 6, edits: 120, startMs: 8s, intervalMs: 50, joiners: 5, joinWindowMs: 3s, awareness: true }
until: { complete: true, max: 200s }
${extra}`;
}

function run(text: string, seed?: number): Summary {
  const sc = scenarioFromText(text, '<test>', seed !== undefined ? { seed } : {});
  const s = { ...runScenario(sc).summary } as Summary;
  delete s.wallMs;
  return s;
}

describe('sync scenarios', () => {
  const results: Record<string, Summary> = {};
  it.each(['overlay', 'flood', 'ywebrtc'])('%s: every replica converges, every edit reaches every replica, joiners catch up', (mode) => {
    const s = run(room(mode));
    results[mode] = s;
    expect(s.mode).toBe(mode);
    expect(s.converged).toBe(true);
    expect(s.distinctDigests).toBe(1);
    expect(s.edits).toBe(120);
    expect(s.editsUnconverged).toBe(0);
    expect(s.joinersCaughtUp).toBe(5);
    expect(s.convergenceP99Ms as number).toBeGreaterThan(0);
    expect(s.convergenceP99Ms as number).toBeGreaterThanOrEqual(s.convergenceP50Ms as number);
    expect(s.docBytes as number).toBeGreaterThan(120);
    expect(s.awarenessBytesPerPeer as number).toBeGreaterThan(0);
    if (mode !== 'ywebrtc') expect(s.lookupHopsMean as number).toBeGreaterThan(0);
  });

  it('the overlay sends fewer bytes per edit than flooding, and far fewer than the y-webrtc mesh', () => {
    const o = results.overlay!, f = results.flood!, y = results.ywebrtc!;
    expect(o.bytesPerEditPerPeer as number).toBeLessThan(f.bytesPerEditPerPeer as number);
    expect((o.bytesPerEditPerPeer as number) * 3).toBeLessThan(y.bytesPerEditPerPeer as number);
    // y-webrtc connects to 20-34 peers; the overlay keeps a partial view of degree..maxLinks
    expect(y.linksPerPeer as number).toBeGreaterThan(15);
    expect(o.linksPerPeer as number).toBeLessThanOrEqual(10);
    // after its first link an overlay peer rarely uses signaling; a y-webrtc peer announces itself
    expect(o.signalingAfterFirstLinkPerPeer as number).toBeLessThan(y.signalingMessagesPerPeer as number);
  });

  it('same seed, same summary; another seed, another run', () => {
    const a = run(room('overlay'), 7);
    expect(run(room('overlay'), 7)).toEqual(a);
    expect(run(room('overlay'), 8)).not.toEqual(a);
    const y = run(room('ywebrtc'), 7);
    expect(run(room('ywebrtc'), 7)).toEqual(y);
  });

  it('under churn, loss and a healed partition every replica online at the end converges', () => {
    const s = run(
      room(
        'overlay',
        `churn:
  on: { distribution: exponential, meanMs: 2m }
  off: { distribution: exponential, meanMs: 30s }
`,
      ).replace('jitter: 0.1 }', 'jitter: 0.1 }\n  loss: 0.02\n  partitions:\n    - { at: 9s, heal: 30s, fractions: [0.5, 0.5] }'),
    );
    expect(s.converged).toBe(true);
    expect(s.distinctDigests).toBe(1);
  });

  it('the shipped churn-and-partition scenario converges (shrunk)', () => {
    const sc = shippedScenario('sync-churn-partition', ['peers=80', 'workload.edits=150', 'workload.editors=5']);
    const s = runScenario(sc).summary as Summary;
    expect(s.converged).toBe(true);
    expect(s.distinctDigests).toBe(1);
  });
});

describe('sync scenario keys', () => {
  it('fills defaults', () => {
    expect(driver.params.parse({})).toMatchObject({ mode: 'overlay', degree: 5, maxLinks: 10, maxConnsBase: 20, maxConnsRandom: 14 });
    expect(driver.workload.parse({})).toMatchObject({ editors: 20, edits: 1000, insertFraction: 0.8, sameRegion: 0.2 });
  });

  it('a bad key is named, with its place in the file', () => {
    expect(() => parseScenario(room('mesh'))).toThrow(/protocol\.mode/);
    expect(() => parseScenario(room('overlay').replace('editors: 6', 'editors: 0'))).toThrow(/workload\.editors/);
    expect(() => parseScenario(room('overlay').replace('mode: overlay', 'mode: overlay, degre: 3'))).toThrow(/degre/);
  });

  it('combinations the schema cannot see are refused when the scenario is parsed, naming the key', () => {
    const degree12 = room('overlay').replace('mode: overlay', 'mode: overlay, degree: 12');
    expect(() => parseScenario(degree12)).toThrow(ScenarioError);
    expect(() => parseScenario(degree12)).toThrow(/protocol\.maxLinks: must be >= degree \(12\)/);
    expect(() => parseScenario(room('overlay').replace('editors: 6', 'editors: 61'))).toThrow(/workload\.editors: 61 editors but only/);
  });

  it('and by createSyncRun for parameters built in code', () => {
    const sc = parseScenario(room('overlay'));
    const world = new World(new Simulator({ seed: 1 }), { peers: sc.peers });
    const params = { ...(sc.protocol.params as SyncParams), degree: 12 };
    expect(() => createSyncRun({ world, seed: 1 }, params, sc.workload as SyncWorkload)).toThrow(SyncConfigError);
  });
});

describe('sync keyframes', () => {
  it('the timeline takes keyframes of a sync run (exactness: snapshot.test.ts), and a restored one goes on', () => {
    const session = createSession(parseScenario(room('overlay')));
    const store = new KeyframeStore({ minSpacingMs: 0, costRatio: 0 });
    store.follow(session);
    session.advance(10_000);
    store.afterCompute(session, 1000);
    expect(store.disabled).toBeNull();
    expect(store.list.length).toBe(1);
    const restored = store.restoreInto(store.list[0]!, createSession(parseScenario(room('overlay'))));
    expect(restored.sim.now).toBe(10_000);
    restored.advance(5000);
    session.advance(5000);
    expect(restored.sim.eventsProcessed).toBe(session.sim.eventsProcessed);
    expect(JSON.stringify(restored.run.summary())).toBe(JSON.stringify(session.run.summary()));
  });
});
