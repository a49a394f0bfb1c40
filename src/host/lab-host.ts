/**
 * LabHost: one simulation session driven in (scaled) real time for the dashboard. It owns the
 * session of the loaded scenario and a wall-clock loop: while playing, each tick advances virtual
 * time by `speed x` the wall time that passed (capped, so a slow frame never makes a huge jump), and
 * every `publishEveryMs` it publishes state, counters and a snapshot (peers capped at `maxPeers`).
 * Commands come in through the router (see `mountLab`); nothing here knows about transports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { createSession, type Session } from '../lab/session.js';
import { parseScenario, type Scenario } from '../lab/scenario.js';
import type { ProtocolDriver } from '../protocols/driver.js';
import type { GroupHandlers } from './contract.js';
import { labGroup, type CountersData, type LabState, type ScenarioInfo, type SnapshotData } from './lab-group.js';
import { CommandError, type HostRouter } from './router.js';

export interface LabHostOptions {
  /** Folder of bundled scenarios (`*.yaml`, `*.yml`, `*.json`). */
  scenariosDir?: string;
  /** Where events go (the router's emit). */
  emit: (event: string, data: unknown) => void;
  /** Wall ms between ticks while playing. Default 33 (about 30 per second). */
  tickMs?: number;
  /** Wall ms between published snapshots and counters while playing. Default 250. */
  publishEveryMs?: number;
  /** Peers in a published snapshot at most. Default 1000. */
  maxPeers?: number;
  /** Largest virtual step of one tick, in wall ms times speed. Default 250 wall ms. */
  maxTickWallMs?: number;
  /** Wall clock (tests pass their own). Default performance.now. */
  now?: () => number;
  /** Start a real timer loop. Tests set false and call `tick()` themselves. Default true. */
  autoTick?: boolean;
  /** Drivers for `protocol.type` (default: the lab's registry). */
  drivers?: Record<string, ProtocolDriver>;
}

export class LabHost {
  private session: Session | null = null;
  private scenario: Scenario | null = null;
  private bundled: string | null = null;
  /** Bumped whenever the peers may be different ones (load, reset with another seed). */
  private run = 0;
  private seed = 0;
  private running = false;
  private speed = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWall = 0;
  private lastPublish = -Infinity;
  private readonly opts: Required<Omit<LabHostOptions, 'scenariosDir' | 'drivers'>> & { scenariosDir: string | null };
  private readonly drivers: Record<string, ProtocolDriver> | undefined;

  constructor(opts: LabHostOptions) {
    this.opts = {
      scenariosDir: opts.scenariosDir ?? null,
      emit: opts.emit,
      tickMs: opts.tickMs ?? 33,
      publishEveryMs: opts.publishEveryMs ?? 250,
      maxPeers: opts.maxPeers ?? 1000,
      maxTickWallMs: opts.maxTickWallMs ?? 250,
      now: opts.now ?? (() => performance.now()),
      autoTick: opts.autoTick ?? true,
    };
    this.drivers = opts.drivers;
  }

  /** `baseDir` resolves relative paths inside the scenario (churn.traceFile); by default its file's folder. */
  private parse(input: string, source: string, baseDir?: string): Scenario {
    return parseScenario(input, source, this.drivers, baseDir !== undefined ? { baseDir } : {});
  }

  private makeSession(scenario: Scenario, seed: number): Session {
    return createSession(scenario, this.drivers ? { seed, drivers: this.drivers } : { seed });
  }

  // ---- scenarios ---------------------------------------------------------------------------

  scenarios(): ScenarioInfo[] {
    const dir = this.opts.scenariosDir;
    if (!dir) return [];
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    } catch {
      return [];
    }
    const out: ScenarioInfo[] = [];
    for (const f of files) {
      const name = basename(f, extname(f));
      let description = '';
      try {
        const s = this.parse(readFileSync(join(dir, f), 'utf8'), join(dir, f));
        description = s.description || `${s.peers} peers, ${s.protocol.type}`;
      } catch (err) {
        description = `(does not load: ${(err as Error).message.split('\n')[0]})`;
      }
      out.push({ name, description, file: f });
    }
    return out;
  }

  /** Loads a bundled scenario by name, or YAML/JSON text. Leaves the current one intact on error. */
  load(args: { name?: string; text?: string; seed?: number }): LabState {
    let scenario: Scenario;
    if (args.name !== undefined) {
      const info = this.scenarios().find((s) => s.name === args.name);
      if (!info || !this.opts.scenariosDir) {
        const known = this.scenarios().map((s) => s.name);
        throw new CommandError(`no bundled scenario '${args.name}' (known: ${known.join(', ') || 'none'})`);
      }
      const path = join(this.opts.scenariosDir, info.file);
      scenario = this.parse(readFileSync(path, 'utf8'), path);
    } else {
      // text typed in the dashboard has no file: its relative paths are taken from the scenarios folder
      scenario = this.parse(args.text ?? '', '<dashboard>', this.opts.scenariosDir ?? undefined);
    }
    const seed = args.seed ?? scenario.seed;
    const session = this.makeSession(scenario, seed);
    this.pauseLoop();
    this.scenario = scenario;
    this.run++;
    this.bundled = args.name ?? null;
    this.seed = seed;
    this.session = session;
    this.publish(true);
    return this.state();
  }

  // ---- playback ------------------------------------------------------------------------------

  play(): LabState {
    const s = this.requireSession();
    if (!s.isDone() && !this.running) {
      this.running = true;
      this.lastWall = this.opts.now();
      if (this.opts.autoTick) this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    }
    this.emitState();
    return this.state();
  }

  pause(): LabState {
    this.pauseLoop();
    this.publish(true);
    return this.state();
  }

  step(ms: number): LabState {
    const s = this.requireSession();
    this.pauseLoop();
    s.advance(ms);
    this.publish(true);
    return this.state();
  }

  setSpeed(speed: number): LabState {
    this.speed = speed;
    this.emitState();
    return this.state();
  }

  reset(seed?: number): LabState {
    if (!this.scenario) throw new CommandError('no scenario loaded (lab.load first)');
    this.pauseLoop();
    if (seed !== undefined && seed !== this.seed) {
      this.seed = seed;
      this.run++;
    }
    this.session = this.makeSession(this.scenario, this.seed);
    this.publish(true);
    return this.state();
  }

  /**
   * One step of the wall-clock loop: advances virtual time by speed x elapsed wall time (at most
   * `maxTickWallMs` worth), and publishes if it is time to.
   */
  tick(): void {
    const s = this.session;
    if (!s || !this.running) return;
    const now = this.opts.now();
    const wall = Math.min(Math.max(0, now - this.lastWall), this.opts.maxTickWallMs);
    this.lastWall = now;
    if (wall > 0) s.advance(wall * this.speed);
    if (s.isDone()) {
      this.pauseLoop();
      this.publish(true);
      return;
    }
    if (now - this.lastPublish >= this.opts.publishEveryMs) this.publish(false);
  }

  // ---- views -----------------------------------------------------------------------------------

  state(): LabState {
    const s = this.session;
    const sc = this.scenario;
    return {
      scenario: sc ? sc.name : null,
      bundled: this.bundled,
      source: sc ? sc.source : null,
      protocol: sc ? sc.protocol.type : null,
      peers: sc ? sc.peers : 0,
      seed: this.seed,
      running: this.running,
      speed: this.speed,
      timeMs: s ? s.sim.now : 0,
      untilMs: s ? s.untilMs : 0,
      untilComplete: sc ? sc.until.complete : false,
      done: s ? s.isDone() : false,
      endReason: s ? s.endReason : null,
    };
  }

  snapshot(maxPeers = this.opts.maxPeers): SnapshotData {
    const s = this.session;
    if (!s) return { run: this.run, timeMs: 0, totalPeers: 0, peers: [], links: [] };
    const snap = s.run.snapshot(maxPeers);
    const peers = snap.peers.length > maxPeers ? snap.peers.slice(0, maxPeers) : snap.peers;
    const onMap = s.position(0) !== null;
    return {
      run: this.run,
      timeMs: s.sim.now,
      totalPeers: s.world.size,
      peers: peers.map((p) => {
        const pos = onMap ? s.position(p.id) : null;
        return pos ? { ...p, x: pos[0], y: pos[1] } : { ...p };
      }),
      links: snap.links,
    };
  }

  counters(): CountersData {
    const s = this.session;
    if (!s) return { timeMs: 0, events: 0, online: 0, sent: 0, delivered: 0, dropped: 0, bytesSent: 0, summary: {} };
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

  /** Stops the loop (for shutdown). */
  close(): void {
    this.pauseLoop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---- internals -------------------------------------------------------------------------------

  private requireSession(): Session {
    if (!this.session) throw new CommandError('no scenario loaded (lab.load first)');
    return this.session;
  }

  private pauseLoop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private emitState(): void {
    this.opts.emit('lab.state', this.state());
  }

  private publish(_force: boolean): void {
    this.lastPublish = this.opts.now();
    this.emitState();
    this.opts.emit('lab.counters', this.counters());
    this.opts.emit('lab.snapshot', this.snapshot());
  }
}

/** Mounts the lab group on a router, backed by `host`. */
export function labHandlers(host: LabHost): GroupHandlers<typeof labGroup> {
  return {
    'lab.scenarios': () => host.scenarios(),
    'lab.load': (a) => host.load(a),
    'lab.play': () => host.play(),
    'lab.pause': () => host.pause(),
    'lab.step': (a) => host.step(a.ms ?? 100),
    'lab.speed': (a) => host.setSpeed(a.speed),
    'lab.reset': (a) => host.reset(a.seed),
    'lab.state': () => host.state(),
    'lab.snapshot': (a) => host.snapshot(a.maxPeers),
  };
}

export function mountLab(router: HostRouter, host: LabHost): void {
  router.mount(labGroup, labHandlers(host));
}
