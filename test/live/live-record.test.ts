/**
 * Recording a live room with real Node peers (real WebRTC on loopback): three peers link up and
 * co-edit while `live.record.*` records them; the saved file replays in the Lab with every frame's
 * topology equal to what the peers reported when it was captured, and scrubs back and forth.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import type { LivePeerData } from '../../src/host/live/group.js';
import { LiveRecorder } from '../../src/host/live/live-recorder.js';
import { liveFrame } from '../../src/host/live/live-frame.js';
import { livePlugin } from '../../src/host/live/plugin.js';
import { parseRecording, Replay } from '../../src/host/recording.js';
import { HostRouter } from '../../src/host/router.js';
import { LiveNetwork } from '../../src/live/live-network.js';
import { sleep, tmpDir } from './helpers.js';

const net = new LiveNetwork({ dataDir: tmpDir(), room: 'rectest' });
afterAll(() => net.close());

const sort = (l: number[][]) => [...l].sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);

describe('recording the live room', () => {
  it('three Node peers: every replayed frame has the topology the peers reported at its capture', async () => {
    await net.signalingUrl();
    // what each frame was made from, as the recorder's source returned it
    const reports: LivePeerData[][] = [];
    const source = {
      info: () => net.info(),
      peers: async () => {
        const p = (await net.peers()) as LivePeerData[];
        reports.push(p);
        return p;
      },
    };
    const events: unknown[] = [];
    const rec = new LiveRecorder(source, (_e, d) => events.push(d));
    const a = await net.addPeer('alice');
    await rec.start({ everyMs: 250 });
    const b = await net.addPeer('bob');
    await net.addPeer('carol');
    await net.type(a.id, 'main', 30, 10);
    await net.type(b.id, 'main', 30, 10);
    // linked and converged, or 30 s
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      const peers = await net.peers();
      const open = peers.map((p) => p.links.filter((l) => l.open).length);
      const lens = peers.map((p) => p.docs[0]?.length ?? -1);
      if (peers.length === 3 && open.every((n) => n > 0) && lens.every((l) => l === lens[0] && l > 0)) break;
      await sleep(200);
    }
    await net.killPeer(b.id);
    await sleep(1500);
    const st = await rec.stop();
    expect(st.frames).toBeGreaterThan(8);
    const saved = rec.save();
    rec.close();
    const parsed = parseRecording(saved.text, saved.name);
    expect(parsed.header.live?.room).toBe('rectest');
    expect(parsed.frames).toHaveLength(st.frames);
    // each captured report became one frame, in order (a report that came back late is not a frame)
    const replay = new Replay(parsed);
    const index = new Map<number, number>();
    const seen = new Set<string>();
    const tally = { rewired: 0 };
    let frame = 0;
    let linked = false;
    for (const r of reports) {
      if (frame >= replay.frameCount) break;
      const want = liveFrame(r, index, replay.frame(frame).timeMs, 1000, seen, tally);
      const got = replay.snapshot(frame, 0);
      expect(got.peers, `frame ${frame}`).toEqual(want.snapshot.peers);
      expect(sort(got.links as number[][]), `frame ${frame}`).toEqual(sort(want.snapshot.links as number[][]));
      if (got.links.length >= 2) linked = true;
      frame++;
    }
    expect(frame).toBe(replay.frameCount);
    expect(linked).toBe(true);
    // the kill is in the recording: bob is drawn offline at the end
    const last = replay.snapshot(replay.frameCount - 1, 0);
    expect(last.peers.find((p) => p.label === 'bob')?.alive).toBe(false);
    // the Lab replays and scrubs it
    const lab = new Lab({ emit: () => undefined, autoTick: false });
    lab.replayOpen({ name: saved.name, part: 0, parts: 1, text: saved.text });
    for (const i of [replay.frameCount - 1, 0, Math.floor(replay.frameCount / 2), 3]) {
      lab.seek(replay.frame(i).timeMs);
      expect(lab.snapshot().peers).toEqual(replay.snapshot(i, 0).peers);
      expect(lab.snapshot().links).toEqual(replay.snapshot(i, 0).links);
    }
    expect(lab.state().protocol).toBe('live');
  }, 90_000);

  it('stopping takes a last frame: the recording ends with the room as it was at the stop, not a period earlier', async () => {
    const rec = new LiveRecorder({ info: () => net.info(), peers: async () => (await net.peers()) as LivePeerData[] }, () => undefined);
    // one frame at the start, the next a minute later: only the stop's own frame can hold what follows
    await rec.start({ everyMs: 60_000 });
    const dave = await net.addPeer('dave');
    const st = await rec.stop();
    expect(st).toMatchObject({ active: false, frames: 2, reason: 'stopped' });
    const replay = new Replay(parseRecording(rec.save().text, 'x'));
    const labels = (i: number) => replay.snapshot(i, 0).peers.filter((p) => p.alive).map((p) => p.label);
    expect(labels(0)).not.toContain('dave');
    expect(labels(1)).toContain('dave');
    // a second stop changes nothing
    expect((await rec.stop()).frames).toBe(2);
    rec.close();
    await net.killPeer(dave.id);
  }, 30_000);

  it('the live.record commands on the host router', async () => {
    const router = new HostRouter();
    const plugin = livePlugin({ dataDir: tmpDir(), room: 'cmdtest' }).mount({ router, emit: () => {} });
    try {
      let id = 0;
      const call = async (cmd: string, args: unknown = {}) => router.handleFrame({ type: 'call', id: ++id, cmd, args });
      expect(await call('live.record.state')).toMatchObject({ type: 'result', result: null });
      expect(JSON.stringify(await call('live.record.save'))).toContain('nothing was recorded');
      expect(JSON.stringify(await call('live.record.start', { everyMs: 5 }))).toContain('everyMs');
      const started = await call('live.record.start', { everyMs: 200 });
      expect(started).toMatchObject({ type: 'result', result: { active: true, room: 'cmdtest' } });
      await sleep(700);
      const stopped = await call('live.record.stop');
      expect(stopped).toMatchObject({ type: 'result', result: { active: false, reason: 'stopped' } });
      const saved = await call('live.record.save');
      if (saved.type !== 'result') throw new Error(JSON.stringify(saved));
      const r = parseRecording((saved.result as { text: string }).text, 'x');
      expect(r.header.live?.room).toBe('cmdtest');
      expect(r.frames.length).toBeGreaterThanOrEqual(3);
    } finally {
      await plugin.close();
    }
  });
});
