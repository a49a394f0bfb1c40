/**
 * The sim timeline: a loaded scenario simulated on demand. It runs forward in slices small enough to
 * be interrupted (a newer command wins), takes keyframes as it goes, and seeks back by restoring the
 * nearest keyframe and replaying from there (or from time 0 when there is none), so the state at t is
 * the one a straight run to t has. It also keeps the session it left on a seek back, so returning to
 * where the run was costs nothing.
 */
import type { Scenario } from '../../lab/scenario.js';
import type { Session } from '../../lab/session.js';
import { evaluateObservation, undeclaredObservation, type ObservationData, type ProtocolObservation } from '../../protocols/observation.js';
import { observations } from '../../protocols/observations.js';
import { inspectors } from '../../protocols/inspectors.js';
import type { ProtocolDriver, Series } from '../../protocols/driver.js';
import type { CountersData, InspectData, SnapshotData } from '../lab-group.js';
import { KeyframeStore, type KeyframePolicy } from './keyframe-store.js';

/** Checked between slices of long work: true once a newer command wants the worker. */
export interface Control {
  interrupted(): boolean;
}
export const UNINTERRUPTED: Control = { interrupted: () => false };

/** While recording: frames at multiples of `everyMs`; `capture` returns false once the recording is full. */
export interface FrameHook {
  everyMs: number;
  capture(): boolean;
}

/** Wall ms one slice aims at: long enough to cost little, short enough to notice a newer command. */
const SLICE_WALL_MS = 25;

export class SimTimeline {
  readonly mode = 'live' as const;
  session: Session;
  /** After a seek back, the session that was further on (one), dropped once the current one passes it. */
  private ahead: Session | null = null;
  readonly keyframes: KeyframeStore;
  /** Virtual ms per slice, adapted to keep slices near SLICE_WALL_MS. */
  private sliceMs: number;

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    readonly driver: ProtocolDriver,
    private readonly make: () => Session,
    policy: KeyframePolicy | false = {},
  ) {
    this.session = make();
    this.keyframes = new KeyframeStore(policy === false ? {} : policy);
    if (policy === false) this.keyframes.disabled = 'keyframes are off';
    else this.keyframes.follow(this.session);
    this.sliceMs = scenario.observe.sampleMs;
  }

  get timeMs(): number {
    return this.session.sim.now;
  }
  get endMs(): number {
    return this.session.untilMs;
  }
  get done(): boolean {
    return this.session.isDone();
  }

  /** Runs `ms` further (less if the run ends, a newer command interrupts, or a full recording stops). */
  advance(ms: number, ctl: Control, frames?: FrameHook): void {
    const s = this.session;
    if (this.ahead && s.sim.now + ms >= this.ahead.sim.now) this.ahead = null; // about to pass it: free it
    const target = Math.min(s.sim.now + ms, s.untilMs);
    while (!s.isDone() && s.sim.now < target && !ctl.interrupted()) {
      let stop = Math.min(target, s.sim.now + this.sliceMs);
      let next = Infinity;
      if (frames) {
        // the first grid time after now (now / every can round up to a whole number just below a grid time)
        next = (Math.floor(s.sim.now / frames.everyMs) + 1) * frames.everyMs;
        if (next - frames.everyMs > s.sim.now) next -= frames.everyMs;
        stop = Math.min(stop, next);
      }
      const t0 = performance.now();
      s.advance(stop - s.sim.now);
      const wall = performance.now() - t0;
      this.keyframes.afterCompute(s, wall);
      if (wall < SLICE_WALL_MS / 2) this.sliceMs = Math.min(this.sliceMs * 2, 3_600_000);
      else if (wall > SLICE_WALL_MS * 2) this.sliceMs = Math.max(this.sliceMs / 2, 0.001);
      if (frames && (s.sim.now >= next || s.isDone()) && !frames.capture()) frames = undefined;
    }
    if (frames && s.isDone()) frames.capture();
  }

  /**
   * Shows `timeMs` (clamped to the run). Returns true if history was rewritten (a seek back or a jump
   * to the kept session): the series go out whole again.
   */
  seek(timeMs: number, ctl: Control, frames?: FrameHook): boolean {
    const s = this.session;
    const target = Math.min(Math.max(0, timeMs), s.untilMs);
    if (target < s.sim.now) {
      if (!this.ahead || s.sim.now > this.ahead.sim.now) this.ahead = s;
      const kf = this.keyframes.nearest(target);
      const fresh = this.make();
      if (kf) this.session = this.keyframes.restoreInto(kf, fresh);
      else {
        this.session = fresh;
        this.keyframes.follow(fresh);
      }
      // no frames on the way: a recording already holds them (identical), up to `target`
      this.advance(target - this.session.sim.now, ctl);
      return true;
    }
    if (target > s.sim.now) {
      const a = this.ahead;
      // while recording, frames between now and the kept session's time would be skipped: run on instead
      if (a && !frames && a.sim.now <= target && a.sim.now > s.sim.now) {
        this.session = a;
        this.ahead = null;
        this.advance(target - a.sim.now, ctl);
        return true;
      }
      this.advance(target - s.sim.now, ctl, frames);
    }
    return false;
  }

  counters(): CountersData {
    const s = this.session;
    const st = s.world.stats;
    return {
      timeMs: s.sim.now,
      events: s.sim.eventsProcessed,
      online: s.world.online,
      sent: st.sent,
      delivered: st.delivered,
      dropped: st.dropped,
      bytesSent: st.bytesSent,
      summary: s.run.summary(),
    };
  }

  snapshot(maxPeers: number, run: number): SnapshotData {
    const s = this.session;
    const snap = s.run.snapshot(maxPeers);
    const peers = snap.peers.length > maxPeers ? snap.peers.slice(0, maxPeers) : snap.peers;
    const onMap = s.position(0) !== null;
    return {
      run,
      timeMs: s.sim.now,
      totalPeers: s.world.size,
      peers: peers.map((p) => {
        const pos = onMap ? s.position(p.id) : null;
        return pos ? { ...p, x: pos[0], y: pos[1] } : { ...p };
      }),
      links: snap.links,
    };
  }

  /** The driver's series and the session's own under `net.` (as `peerlab run` names them). */
  series(): Record<string, Series> {
    const s = this.session;
    const out: Record<string, Series> = { ...s.run.series() };
    for (const [k, v] of Object.entries(s.series())) out[`net.${k}`] = v;
    return out;
  }

  observation(): ObservationData {
    const sc = this.scenario;
    const run = this.session.run;
    const declared = (this.driver.observation ?? observations[sc.protocol.type] ?? null) as ProtocolObservation | null;
    const plain = undeclaredObservation(sc.protocol.type, run.summary(), run.series());
    // a key the protocol reports but does not declare (yet) still shows, under its own name
    const obs: ProtocolObservation = declared
      ? {
          ...declared,
          metrics: [...declared.metrics, ...plain.metrics.filter((p) => !declared.metrics.some((d) => d.key === p.key))],
          series: [...declared.series, ...plain.series.filter((p) => !declared.series.some((d) => d.key === p.key))],
        }
      : plain;
    return evaluateObservation(obs, { peers: sc.peers, params: sc.protocol.params, workload: sc.workload });
  }

  /** One peer now: what every protocol shows, plus the driver's own sections. */
  inspect(peer: number, run: number): InspectData {
    const s = this.session;
    if (peer >= s.world.size) throw new RangeError(`lab.inspect: peer ${peer} is not in the run (peers 0..${s.world.size - 1})`);
    const drawn = s.run.snapshot(peer + 1).peers.find((p) => p.id === peer);
    const own = s.run.inspect?.(peer) ?? inspectors[this.scenario.protocol.type]?.(s.run, peer) ?? null;
    const pos = s.position(peer);
    const facts: InspectData['sections'][number] = {
      kind: 'facts',
      title: 'Peer',
      rows: [
        { label: 'Online', value: s.world.isAlive(peer) },
        ...(pos ? [{ label: 'Map position', value: `${pos[0].toFixed(3)}, ${pos[1].toFixed(3)}` }] : []),
        { label: 'Neighbours', value: own?.neighbours.length ?? 0, unit: 'peers' as const },
      ],
    };
    return {
      run,
      timeMs: s.sim.now,
      id: peer,
      alive: s.world.isAlive(peer),
      state: drawn?.state ?? (s.world.isAlive(peer) ? 'online' : 'offline'),
      ...(drawn?.value !== undefined ? { value: drawn.value } : {}),
      neighbours: (own?.neighbours ?? []).slice(0, 2000),
      sections: [facts, ...(own?.sections ?? [])].slice(0, 24),
    };
  }
}
