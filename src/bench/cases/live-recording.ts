/**
 * A recorded live room replayed frame by frame (resources/bench/live-record.yaml).
 *
 * Real Node peer processes (WebRTC on loopback) join one room through the host's LiveNetwork and
 * co-edit; the host's LiveRecorder (what `live.record.start` runs) records the room for --seconds of
 * wall time while peers are killed and restarted (every --churn-s seconds one random peer is SIGKILLed
 * and restarted half that later), so links drop, go stale and come back. The recording is saved,
 * gzipped and gunzipped as the dashboard saves and opens it, opened in a Lab through `lab.replay.open`
 * in the dashboard's parts, and the Lab is sought to every frame's time. Each frame's topology there
 * (peers by name with liveness, and links as pairs of names) must equal the one the peers reported at
 * the moment the frame was captured, derived here from those reports by names, independently of the
 * numbering and kinds the recording uses (live-frame.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { median, quantileSorted, Rng } from '../../core/index.js';
import type { SnapshotData } from '../../host/lab-group.js';
import { Lab } from '../../host/lab/lab.js';
import type { LivePeerData } from '../../host/live/group.js';
import { STALE_KIND } from '../../host/live/live-frame.js';
import { LiveRecorder } from '../../host/live/live-recorder.js';
import { parseRecording } from '../../host/recording.js';
import { LiveNetwork } from '../../live/live-network.js';
import { inNamespace } from '../netns.js';
import type { BenchCase, CaseContext, Figures, OptionsOf, OptionTypes } from '../runner.js';

const OPTIONS = {
  peers: 'int',
  seconds: 'number',
  'every-ms': 'int',
  'churn-s': 'number',
  seed: 'int',
} as const satisfies OptionTypes;

/** What the dashboard sends per `lab.replay.open` part (renderer/src/stores/lab.ts). */
const PART_CHARS = 256 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** A room's topology by names: who is there (alive or not), and which pairs are linked. */
interface Topology {
  peers: Map<string, boolean>;
  links: Set<string>;
}
const pair = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** From the peers' own reports: a link is there if a live end reports it open to a peer of the room. */
function reported(peers: readonly LivePeerData[]): Topology {
  const names = new Map(peers.map((p) => [p.id, p.name]));
  const links = new Set<string>();
  for (const p of peers) {
    if (!p.alive) continue;
    for (const l of p.links) {
      const other = names.get(l.peer);
      if (l.open && other !== undefined && l.peer !== p.id) links.add(pair(p.name, other));
    }
  }
  return { peers: new Map(peers.map((p) => [p.name, p.alive])), links };
}

/** From what the Lab shows of a replayed frame (peers carry their names as labels). */
function shown(snap: SnapshotData): Topology {
  const names = new Map(snap.peers.map((p) => [p.id, p.label ?? `#${p.id}`]));
  const links = new Set(snap.links.map((l) => pair(names.get(l[0]) ?? `#${l[0]}`, names.get(l[1]) ?? `#${l[1]}`)));
  return { peers: new Map(snap.peers.map((p) => [p.label ?? `#${p.id}`, p.alive])), links };
}

/** How two topologies differ, or null when equal. */
function difference(want: Topology, got: Topology): string | null {
  const out: string[] = [];
  for (const [n, alive] of want.peers) if (got.peers.get(n) !== alive) out.push(`${n} ${alive ? 'alive' : 'offline'} but shown ${got.peers.has(n) ? (got.peers.get(n) ? 'alive' : 'offline') : 'missing'}`);
  for (const n of got.peers.keys()) if (!want.peers.has(n)) out.push(`${n} shown but not in the room`);
  for (const l of want.links) if (!got.links.has(l)) out.push(`link ${l} missing`);
  for (const l of got.links) if (!want.links.has(l)) out.push(`link ${l} not reported`);
  return out.length ? out.join('; ') : null;
}

async function run(o: OptionsOf<typeof OPTIONS>, ctx: CaseContext): Promise<Figures> {
  const outer = inNamespace(ctx, 'live-record');
  if (outer) return outer;
  const dir = mkdtempSync(join(tmpdir(), 'peerlab-live-record-'));
  const net = new LiveNetwork({ dataDir: dir, room: 'bench-record' });
  const rng = new Rng(o.seed);
  try {
    const t0 = performance.now();
    await net.signalingUrl();
    const ids: number[] = [];
    for (let i = 0; i < o.peers; i++) ids.push((await net.addPeer(`p${i}`)).id);
    // every peer linked before recording starts (or 60 s)
    while (performance.now() - t0 < 60_000) {
      const peers = await net.peers();
      if (peers.every((p) => p.links.some((l) => l.open))) break;
      await sleep(250);
    }
    const setupMs = performance.now() - t0;
    ctx.log(`live-record: ${o.peers} peers linked in ${Math.round(setupMs)} ms; recording ${o.seconds} s, a frame every ${o.everyMs} ms`);

    // the reports each capture was made from: the recorder reads its clock once per capture, right after the report
    let last: LivePeerData[] = [];
    const captures: { t: number; peers: LivePeerData[] }[] = [];
    const reportMs: number[] = [];
    let started: number | null = null;
    const source = {
      info: () => net.info(),
      peers: async () => {
        const s = performance.now();
        last = (await net.peers()) as LivePeerData[];
        reportMs.push(performance.now() - s);
        return last;
      },
    };
    const now = (): number => {
      const t = Date.now();
      if (started === null) started = t;
      else captures.push({ t: Math.max(0, t - started), peers: last });
      return t;
    };
    const recorder = new LiveRecorder(source, () => undefined, { now });
    await recorder.start({ everyMs: o.everyMs });

    // the room lives: edits all along, a peer killed and restarted every churnS
    const end = performance.now() + o.seconds * 1000;
    let kills = 0;
    let restarts = 0;
    let nextChurn = performance.now() + o.churnS * 1000;
    const dead: { id: number; at: number }[] = [];
    while (performance.now() < end) {
      const alive = ids.filter((id) => !dead.some((d) => d.id === id));
      if (alive.length) await net.type(alive[rng.int(alive.length)]!, 'main', 5, 40).catch(() => undefined);
      if (o.churnS > 0 && performance.now() >= nextChurn && alive.length > 1) {
        const victim = alive[rng.int(alive.length)]!;
        await net.killPeer(victim);
        dead.push({ id: victim, at: performance.now() + (o.churnS * 1000) / 2 });
        kills++;
        nextChurn += o.churnS * 1000;
      }
      for (const d of [...dead])
        if (performance.now() >= d.at) {
          await net.restartPeer(d.id);
          dead.splice(dead.indexOf(d), 1);
          restarts++;
        }
      await sleep(1000);
    }
    const state = await recorder.stop();
    const saved = recorder.save();
    recorder.close();

    // saved and opened as the dashboard does: gzip, gunzip, parts to lab.replay.open
    const gz = gzipSync(saved.text);
    const text = gunzipSync(gz).toString('utf8');
    const rec = parseRecording(text, saved.name);
    const lab = new Lab({ emit: () => undefined, autoTick: false });
    let s = performance.now();
    const parts = Math.max(1, Math.ceil(text.length / PART_CHARS));
    for (let i = 0; i < parts; i++) lab.replayOpen({ name: saved.name, part: i, parts, text: text.slice(i * PART_CHARS, (i + 1) * PART_CHARS) });
    const openMs = performance.now() - s;

    // every frame, in a shuffled order (scrubbing back and forth), against the report it was captured from
    const order = rng.shuffle(rec.frames.map((_, i) => i));
    const seekMs: number[] = [];
    const mismatches: string[] = [];
    let equal = 0;
    let unmatched = 0;
    for (const i of order) {
      const f = rec.frames[i]!;
      const capture = captures.find((c) => c.t === f.timeMs);
      if (!capture) {
        unmatched++;
        continue;
      }
      s = performance.now();
      lab.seek(f.timeMs);
      const snap = lab.snapshot();
      seekMs.push(performance.now() - s);
      const diff = difference(reported(capture.peers), shown(snap));
      if (diff === null) equal++;
      else if (mismatches.length < 5) mismatches.push(`frame ${i} (${f.timeMs} ms): ${diff}`);
    }

    // what the recording went through
    let changes = 0;
    let offlineFrames = 0;
    let staleLinks = 0;
    let before = '';
    const links: number[] = [];
    for (let i = 0; i < rec.frames.length; i++) {
      lab.seek(rec.frames[i]!.timeMs);
      const snap = lab.snapshot();
      const key = [...shown(snap).links].sort().join(',');
      if (i > 0 && key !== before) changes++;
      before = key;
      links.push(snap.links.length);
      if (snap.peers.some((p) => !p.alive)) offlineFrames++;
      staleLinks += snap.links.filter((l) => (l as readonly number[])[2] === STALE_KIND).length;
    }
    const sortedReport = [...reportMs].sort((a, b) => a - b);
    return {
      peers: o.peers,
      seconds: o.seconds,
      everyMs: o.everyMs,
      netns: process.env.PEERLAB_NETNS === '1',
      setupMs: Math.round(setupMs),
      frames: rec.frames.length,
      framesRecordedState: state.frames,
      spanMs: rec.frames.at(-1)!.timeMs,
      // ticks of the recorder's timer that made no frame (a report still running skips one)
      ticksSkipped: Math.max(0, Math.round(rec.frames.at(-1)!.timeMs / o.everyMs) + 1 - rec.frames.length),
      framesEqual: equal,
      framesUnmatched: unmatched,
      allFramesEqual: equal === rec.frames.length,
      mismatches,
      topologyChanges: changes,
      kills,
      restarts,
      offlineFrames,
      staleLinks,
      linksMean: round(links.reduce((a, b) => a + b, 0) / Math.max(1, links.length)),
      linksMax: Math.max(0, ...links),
      reportP50Ms: round(quantileSorted(sortedReport, 0.5)),
      reportP99Ms: round(quantileSorted(sortedReport, 0.99)),
      textBytes: text.length,
      gzipBytes: gz.length,
      gzipBytesPerMinute: Math.round((gz.length * 60) / o.seconds),
      replayOpenMs: round(openMs),
      seekMedianMs: round(median(seekMs), 2),
    };
  } finally {
    await net.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
