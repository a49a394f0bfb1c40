// A live room recorded into the Lab's recording format: every frame replays as captured (topology,
// link kinds, sync progress, trust states), the Lab's replay timeline scrubs it, and its header says live.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/index.js';
import { newTrustStats } from '../../src/protocols/sync/index.js';
import { Lab } from '../../src/host/lab/lab.js';
import { labState } from '../../src/host/lab-group.js';
import type { LiveInfoData, LivePeerData } from '../../src/host/live/group.js';
import { liveFrame, liveObservation } from '../../src/host/live/live-frame.js';
import { LiveRecording } from '../../src/host/live/live-recording.js';
import { parseRecording, Replay } from '../../src/host/recording.js';

const info: LiveInfoData = {
  room: 'lab-room',
  mode: 'overlay',
  hasPassword: false,
  signalingUrl: null,
  embeddedSignaling: true,
  docs: ['main'],
  nodePeers: 0,
  ice: { servers: [], policy: 'all' },
  bindAddress: '127.0.0.1',
  turnSecret: false,
  trust: true,
};

/** A room where peers come and go, links open and close (some rewired), edits spread, one peer gets cut off. */
function room(seed: number, frames: number): LivePeerData[][] {
  const rng = new Rng(seed);
  const ids = Array.from({ length: 9 }, (_, i) => 1000 + i * 7919);
  const clocks = new Map<number, number>();
  const out: LivePeerData[][] = [];
  const links = new Map<string, 'random' | 'metric' | undefined>();
  for (let f = 0; f < frames; f++) {
    const present = ids.slice(0, Math.min(ids.length, 2 + f));
    for (let k = 0; k < 3; k++) {
      const a = rng.pick(present);
      const b = rng.pick(present);
      if (a === b) continue;
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      if (links.has(key) && rng.float() < 0.4) links.delete(key);
      else links.set(key, rng.pick([undefined, 'random', 'metric'] as const));
    }
    const writer = rng.pick(present);
    clocks.set(writer, (clocks.get(writer) ?? 0) + 1 + rng.int(5));
    out.push(
      present.map((id, n): LivePeerData => {
        const alive = !(n === 3 && f % 5 === 4);
        const mine = [...links].filter(([k]) => k.split('-').map(Number).includes(id));
        const sv: Record<string, number> = {};
        // each peer has heard all but the latest edits of the others
        for (const [c, v] of clocks) sv[String(c)] = c === id ? v : Math.max(0, v - rng.int(3));
        return {
          id,
          name: `peer-${n}`,
          kind: 'node',
          alive,
          mode: 'overlay',
          links: mine.map(([k, kind]) => {
            const [a, b] = k.split('-').map(Number) as [number, number];
            return { peer: a === id ? b : a, open: rng.float() < 0.9, initiator: true, bytesIn: f * 10, bytesOut: f * 12, messagesIn: f, messagesOut: f + 1, lastHeard: 0, ...(kind ? { kind } : {}) };
          }),
          docs: [{ name: 'main', stateVector: sv, pending: false, length: 10 }],
          latency: {},
          violations: n === 5 ? f : 0,
          updatedAt: f,
          error: null,
          ...(n === 4 ? { trust: { behaviour: 'corrupt' as const, cuts: [], stats: newTrustStats(), heldScore: f > 6 ? 0.2 : 0.9, cut: f > 9, cutBy: f > 9 ? 1 : 0 } } : {}),
        };
      }),
    );
  }
  return out;
}

function recordRoom(frames: LivePeerData[][], everyMs = 500) {
  let now = 10_000;
  const rec = new LiveRecording(info, { everyMs, now: () => now, date: () => new Date(0), keyframeEvery: 4 });
  for (const peers of frames) {
    expect(rec.capture(peers)).toBe(true);
    now += everyMs;
  }
  rec.stop();
  return rec.save()!;
}

describe('live recordings', () => {
  it('every frame replays as it was captured: topology with link kinds, progress, states, names', () => {
    for (const seed of [1, 2, 3]) {
      const frames = room(seed, 16);
      const saved = recordRoom(frames);
      const rec = parseRecording(saved.text, saved.name);
      expect(rec.header.live).toEqual({ room: 'lab-room', mode: 'overlay', docs: ['main'] });
      expect(rec.header.scenario.protocol).toBe('live');
      expect(rec.header.scenario.peers).toBe(9);
      expect(rec.frames).toHaveLength(16);
      const replay = new Replay(rec);
      // what each frame was, computed again from the same reports
      const index = new Map<number, number>();
      const seen = new Set<string>();
      const tally = { rewired: 0 };
      const want = frames.map((peers, i) => liveFrame(peers, index, i * 500, 1000, seen, tally));
      const sort = (l: number[][]) => [...l].sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
      for (const i of [...want.keys(), ...new Rng(seed).shuffle([...want.keys()])]) {
        const got = replay.snapshot(i, 1);
        expect(got.timeMs).toBe(i * 500);
        expect(got.peers).toEqual(want[i]!.snapshot.peers);
        expect(sort(got.links as number[][])).toEqual(sort(want[i]!.snapshot.links as number[][]));
        expect(replay.frame(i).counters).toEqual(want[i]!.counters);
      }
      // kinds, trust and progress are really in there
      const last = replay.snapshot(15, 1);
      expect(last.links.some((l) => l[2] === 2)).toBe(true);
      expect(last.peers.find((p) => p.label === 'peer-4')?.state).toBe('cut');
      expect(replay.snapshot(8, 1).peers.find((p) => p.label === 'peer-4')?.state).toBe('distrusted');
      expect(replay.snapshot(4, 1).peers.find((p) => p.label === 'peer-3')?.state).toBe('offline');
      expect(last.peers.some((p) => p.value! < 1)).toBe(true);
      expect(last.peers.some((p) => p.value === 1)).toBe(true);
      expect(Object.keys(rec.end.series)).toEqual(expect.arrayContaining(['net.online', 'live.links', 'live.syncProgressMin']));
      expect(rec.end.series['live.links']!.v).toEqual(want.map((w) => w.snapshot.links.length));
    }
  });

  it('the Lab replays and scrubs it like a simulated run, with the live legend; it cannot be simulated again', () => {
    const frames = room(4, 12);
    const saved = recordRoom(frames, 1000);
    const lab = new Lab({ emit: () => undefined, autoTick: false });
    let st = lab.state();
    const parts = 3;
    const size = Math.ceil(saved.text.length / parts);
    for (let i = 0; i < parts; i++) st = lab.replayOpen({ name: saved.name, part: i, parts, text: saved.text.slice(i * size, (i + 1) * size) });
    expect(labState.parse(st)).toMatchObject({ mode: 'replay', protocol: 'live', scenario: 'live room lab-room', peers: 9 });
    expect(lab.observation()).toBe(liveObservation);
    const replay = new Replay(parseRecording(saved.text, 'x'));
    for (const t of [11_000, 3_000, 7_500, 0, 11_000, 4_200]) {
      lab.seek(t);
      const i = replay.indexAt(t);
      expect(lab.snapshot().peers).toEqual(replay.snapshot(i, 0).peers);
      expect(lab.snapshot().links).toEqual(replay.snapshot(i, 0).links);
      expect(lab.counters()).toEqual(replay.frame(i).counters);
    }
    const insp = lab.inspect(2);
    expect(insp.id).toBe(2);
    expect(() => lab.replayResimulate()).toThrow(/live room 'lab-room' cannot be simulated again/);
  });

  it('stops at its limits, and refuses nothing it cannot bound (long names cut)', () => {
    let now = 0;
    const rec = new LiveRecording({ ...info, room: 'r'.repeat(300) }, { now: () => now, limits: { maxFrames: 3 } });
    const frames = room(5, 6);
    const ok = frames.map((p) => {
      now += 1000;
      return rec.capture(p);
    });
    expect(ok).toEqual([true, true, true, false, false, false]);
    expect(rec.view()).toMatchObject({ active: false, frames: 3, reason: 'full' });
    expect(parseRecording(rec.save()!.text, 'x').header.live!.room).toHaveLength(200);
  });
});
