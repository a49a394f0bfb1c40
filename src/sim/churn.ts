/**
 * Churn and faults: peers come and go by session-time distributions, a fraction of them fails at once,
 * or sessions are replayed from a trace.
 *
 * The model is an alternating renewal process per peer: an online peer stays for a time drawn from
 * `on`, leaves (gracefully with probability `graceful`, else it crashes), stays away for a time drawn
 * from `off`, rejoins, and so on. Without `off` a peer that leaves never comes back; without `on` a
 * peer that joins never leaves. Each peer's next transition is one pending event tagged with the
 * peer's churn epoch, so a mass failure can detach a peer from the process without hunting for its
 * event in the queue.
 *
 * Config (all times in virtual milliseconds):
 * ```
 * { on:  { distribution: 'weibull', shape: 0.6, scaleMs: 600000 },
 *   off: { distribution: 'exponential', meanMs: 300000 },
 *   graceful: 0.3, startMs: 0, stopMs: 3600000,
 *   massFailures: [{ atMs: 60000, fraction: 0.5, graceful: false, rejoin: false }] }
 * ```
 * or a replayed trace: `{ trace: '0 0 5000\n1 100 9000 graceful\n...' }` (see `parseChurnTrace`).
 * This module reads no files: a scenario's `churn.traceFile` is read and parsed by the lab
 * (src/lab/scenario-churn.ts), which hands over the parsed sessions.
 */
import type { World } from './world.js';
import { ConfigError, checkKeys, checkNumber as num, isChecked, isObject, markChecked, show, type Checked } from '../core/check.js';
import type { PeerId } from '../core/ids.js';
import type { Rng } from '../core/rng.js';

/** A session-time (or downtime) distribution. Pareto and Weibull take either `scaleMs` or `meanMs`. */
export type SessionDistribution =
  | { distribution: 'exponential'; meanMs: number }
  | { distribution: 'pareto'; shape: number; scaleMs?: number; meanMs?: number }
  | { distribution: 'weibull'; shape: number; scaleMs?: number; meanMs?: number }
  | { distribution: 'constant'; ms: number };

export interface MassFailure {
  /** When it happens (virtual ms). */
  atMs: number;
  /** Share of the peers online at that moment that go down, in [0, 1]. */
  fraction: number;
  /** Leave gracefully (they may say goodbye) instead of crashing. Default false. */
  graceful?: boolean;
  /** Come back after an `off` time like any other leave (needs `off`). Default false: gone for good. */
  rejoin?: boolean;
}

/** One replayed session: `peer` is online from `joinMs` to `leaveMs` (Infinity = to the end). */
export interface TraceSession {
  peer: PeerId;
  joinMs: number;
  leaveMs: number;
  /** How the session ends; undefined = by the config's `graceful` probability. */
  graceful?: boolean;
  /** 1-based line of the trace text it came from (for messages), 0 if built in code. */
  line?: number;
}

export interface ChurnConfig {
  /** Online session length. Omitted: a peer that joins stays. */
  on?: SessionDistribution;
  /** Offline time between sessions. Omitted: a peer that leaves stays away. */
  off?: SessionDistribution;
  /** Probability that a churn leave is graceful (else a crash), in [0, 1]. Default 0. */
  graceful?: number;
  /** Churn starts here: first transitions are drawn from this time. Default 0. */
  startMs?: number;
  /** No churn transition happens after this time. Default never. */
  stopMs?: number;
  massFailures?: MassFailure[];
  /** Sessions replayed from a trace (text in the documented format, or parsed sessions). Not with on/off. */
  trace?: string | TraceSession[];
}

const CHURN_KEYS = new Set(['on', 'off', 'graceful', 'startMs', 'stopMs', 'massFailures', 'trace']);
const FAILURE_KEYS = new Set(['atMs', 'fraction', 'graceful', 'rejoin']);
const DIST_KEYS: Record<string, string[]> = {
  exponential: ['distribution', 'meanMs'],
  pareto: ['distribution', 'shape', 'scaleMs', 'meanMs'],
  weibull: ['distribution', 'shape', 'scaleMs', 'meanMs'],
  constant: ['distribution', 'ms'],
};

/** Lanczos approximation of the gamma function (|rel. error| < 1e-13 for the arguments used here). */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

function validateDistribution(v: unknown, key: string): SessionDistribution {
  if (!isObject(v)) throw new ConfigError(key, `expected a mapping with a distribution, got ${show(v)}`);
  const d = v.distribution;
  const keys = typeof d === 'string' ? DIST_KEYS[d] : undefined;
  if (keys === undefined)
    throw new ConfigError(
      `${key}.distribution`,
      `unknown distribution ${show(d)} (expected exponential, pareto, weibull or constant)`,
    );
  checkKeys(key, v, keys);
  switch (d) {
    case 'exponential':
      num(`${key}.meanMs`, v.meanMs, 0, Infinity, { exclusiveMin: true });
      break;
    case 'constant':
      num(`${key}.ms`, v.ms, 0);
      break;
    case 'pareto':
    case 'weibull': {
      const shape = num(`${key}.shape`, v.shape, 0, Infinity, { exclusiveMin: true });
      if ((v.scaleMs === undefined) === (v.meanMs === undefined))
        throw new ConfigError(`${key}.scaleMs`, 'give exactly one of scaleMs or meanMs');
      if (v.scaleMs !== undefined) num(`${key}.scaleMs`, v.scaleMs, 0, Infinity, { exclusiveMin: true });
      else {
        num(`${key}.meanMs`, v.meanMs, 0, Infinity, { exclusiveMin: true });
        if (d === 'pareto' && shape <= 1)
          throw new ConfigError(`${key}.meanMs`, `a Pareto with shape ${shape} <= 1 has no finite mean: give scaleMs`);
      }
      break;
    }
  }
  return v as SessionDistribution;
}

/** The scale parameter (ms) of a distribution given by scale or mean. */
function scaleOf(d: SessionDistribution): number {
  switch (d.distribution) {
    case 'exponential':
      return d.meanMs;
    case 'constant':
      return d.ms;
    case 'pareto':
      return d.scaleMs ?? ((d.meanMs as number) * (d.shape - 1)) / d.shape;
    case 'weibull':
      return d.scaleMs ?? (d.meanMs as number) / gamma(1 + 1 / d.shape);
  }
}

/** Theoretical CDF of a session distribution at `x` ms (for tests and reports). */
export function sessionCdf(d: SessionDistribution, x: number): number {
  const s = scaleOf(d);
  switch (d.distribution) {
    case 'exponential':
      return x <= 0 ? 0 : 1 - Math.exp(-x / s);
    case 'constant':
      return x < s ? 0 : 1;
    case 'pareto':
      return x <= s ? 0 : 1 - Math.pow(s / x, d.shape);
    case 'weibull':
      return x <= 0 ? 0 : 1 - Math.exp(-Math.pow(x / s, d.shape));
  }
}

/** Theoretical mean in ms (Infinity for a Pareto with shape <= 1). */
export function sessionMean(d: SessionDistribution): number {
  const s = scaleOf(d);
  switch (d.distribution) {
    case 'exponential':
    case 'constant':
      return s;
    case 'pareto':
      return d.shape <= 1 ? Infinity : (d.shape * s) / (d.shape - 1);
    case 'weibull':
      return s * gamma(1 + 1 / d.shape);
  }
}

/** Returns a sampler of the distribution (inverse-CDF; one float53 per draw). */
export function sessionSampler(d: SessionDistribution, rng: Rng): () => number {
  const s = scaleOf(d);
  switch (d.distribution) {
    case 'exponential':
      return () => -s * Math.log(1 - rng.float53());
    case 'constant':
      return () => s;
    case 'pareto': {
      const inv = -1 / d.shape;
      // 1 - u is in (0, 1], so the draw is finite and >= scale
      return () => s * Math.pow(1 - rng.float53(), inv);
    }
    case 'weibull': {
      const inv = 1 / d.shape;
      return () => s * Math.pow(-Math.log(1 - rng.float53()), inv);
    }
  }
}

/** The error a malformed trace line raises: names the source and the line. */
export class TraceError extends Error {
  override name = 'TraceError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${source}:${line}: ${problem}`);
  }
}

/**
 * Parses a churn trace. Format, one session per line:
 * ```
 * # comment (also after a value); blank lines are ignored
 * <peerId> <joinMs> <leaveMs> [graceful|crash]
 * ```
 * `peerId` is an integer >= 0, times are numbers of virtual ms with `joinMs >= 0` and
 * `leaveMs > joinMs` (`inf` or `-` = never leaves). Sessions of one peer must not overlap. Throws a
 * TraceError naming the line.
 */
export function parseChurnTrace(text: string, source = 'trace'): TraceSession[] {
  const out: TraceSession[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (body === '') continue;
    const parts = body.split(/\s+/);
    if (parts.length < 3 || parts.length > 4)
      throw new TraceError(source, lineNo, `expected "peerId joinMs leaveMs [graceful|crash]", got ${JSON.stringify(body)}`);
    const [p, j, l, how] = parts as [string, string, string, string | undefined];
    if (!/^\d+$/.test(p)) throw new TraceError(source, lineNo, `peerId: expected an integer >= 0, got ${JSON.stringify(p)}`);
    const peer = Number(p);
    const joinMs = Number(j);
    if (j === '' || !Number.isFinite(joinMs) || joinMs < 0)
      throw new TraceError(source, lineNo, `joinMs: expected a number >= 0, got ${JSON.stringify(j)}`);
    const leaveMs = l === 'inf' || l === '-' ? Infinity : Number(l);
    if (Number.isNaN(leaveMs) || leaveMs <= joinMs)
      throw new TraceError(source, lineNo, `leaveMs: expected a number > joinMs (${joinMs}) or inf, got ${JSON.stringify(l)}`);
    const s: TraceSession = { peer, joinMs, leaveMs, line: lineNo };
    if (how !== undefined) {
      if (how !== 'graceful' && how !== 'crash')
        throw new TraceError(source, lineNo, `expected graceful or crash as the 4th field, got ${JSON.stringify(how)}`);
      s.graceful = how === 'graceful';
    }
    out.push(s);
  }
  checkOverlaps(out, source);
  return out;
}

function checkOverlaps(sessions: TraceSession[], source: string): void {
  // Traces are usually written in time order, so each peer's sessions come in join order: then one
  // pass comparing each session with the peer's previous one finds every overlap without a sort.
  const prev = new Map<PeerId, TraceSession>();
  let inOrder = true;
  for (const b of sessions) {
    const a = prev.get(b.peer);
    if (a !== undefined) {
      if (b.joinMs < a.joinMs) {
        inOrder = false;
        break;
      }
      if (b.joinMs < a.leaveMs) throw overlapError(a, b, source);
    }
    prev.set(b.peer, b);
  }
  if (inOrder) return;
  const sorted = [...sessions].sort((a, b) => a.peer - b.peer || a.joinMs - b.joinMs);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!, b = sorted[i]!;
    if (a.peer === b.peer && b.joinMs < a.leaveMs) throw overlapError(a, b, source);
  }
}

function overlapError(a: TraceSession, b: TraceSession, source: string): TraceError {
  return new TraceError(
    source,
    b.line ?? 0,
    `session of peer ${b.peer} joining at ${b.joinMs} overlaps the one from ${a.joinMs} to ${a.leaveMs}` + (a.line ? ` (line ${a.line})` : ''),
  );
}

/**
 * Validates a churn configuration (for example straight from a scenario file); throws ConfigError
 * naming the bad key (`churn.on.distribution: unknown distribution "gauss" ...`). Returns it typed.
 * A trace given as text is parsed here, so its errors surface at validation (as `churn.trace` with
 * the line).
 */
export function validateChurnConfig(cfg: unknown, prefix = 'churn'): Checked<ChurnConfig> {
  if (!isObject(cfg)) throw new ConfigError(prefix, `expected a mapping, got ${show(cfg)}`);
  checkKeys(prefix, cfg, CHURN_KEYS);
  if (cfg.on !== undefined) validateDistribution(cfg.on, `${prefix}.on`);
  if (cfg.off !== undefined) validateDistribution(cfg.off, `${prefix}.off`);
  if (cfg.graceful !== undefined) num(`${prefix}.graceful`, cfg.graceful, 0, 1);
  const start = cfg.startMs === undefined ? 0 : num(`${prefix}.startMs`, cfg.startMs, 0);
  if (cfg.stopMs !== undefined) num(`${prefix}.stopMs`, cfg.stopMs, start);
  if (cfg.massFailures !== undefined) {
    if (!Array.isArray(cfg.massFailures)) throw new ConfigError(`${prefix}.massFailures`, `expected a list, got ${show(cfg.massFailures)}`);
    cfg.massFailures.forEach((f: unknown, i) => {
      const k = `${prefix}.massFailures[${i}]`;
      if (!isObject(f)) throw new ConfigError(k, `expected a mapping, got ${show(f)}`);
      checkKeys(k, f, FAILURE_KEYS);
      num(`${k}.atMs`, f.atMs, 0);
      num(`${k}.fraction`, f.fraction, 0, 1);
      for (const b of ['graceful', 'rejoin'] as const)
        if (f[b] !== undefined && typeof f[b] !== 'boolean') throw new ConfigError(`${k}.${b}`, `expected true or false, got ${show(f[b])}`);
      if (f.rejoin === true && cfg.off === undefined)
        throw new ConfigError(`${k}.rejoin`, `needs ${prefix}.off to draw the time until the peers come back`);
    });
  }
  let trace = cfg.trace as ChurnConfig['trace'];
  if (trace !== undefined) {
    if (cfg.on !== undefined || cfg.off !== undefined)
      throw new ConfigError(`${prefix}.trace`, `a trace replaces on/off: give either the trace or ${prefix}.on/${prefix}.off`);
    if (typeof trace === 'string') {
      try {
        trace = parseChurnTrace(trace, `${prefix}.trace`);
      } catch (e) {
        if (e instanceof TraceError) throw new ConfigError(`${prefix}.trace`, `line ${e.line}: ${e.problem}`);
        throw e;
      }
    } else if (Array.isArray(trace)) {
      (trace as unknown[]).forEach((s: unknown, i) => {
        const k = `${prefix}.trace[${i}]`;
        if (!isObject(s)) throw new ConfigError(k, `expected a session mapping, got ${show(s)}`);
        const peer = num(`${k}.peer`, s.peer, 0);
        if (!Number.isInteger(peer)) throw new ConfigError(`${k}.peer`, `expected an integer, got ${peer}`);
        const join = num(`${k}.joinMs`, s.joinMs, 0);
        num(`${k}.leaveMs`, s.leaveMs, join, Infinity, { exclusiveMin: true });
      });
      checkOverlaps(trace, `${prefix}.trace`);
    } else throw new ConfigError(`${prefix}.trace`, `expected trace text or a list of sessions, got ${show(trace)}`);
    // a copy, so the caller's object (say a parsed scenario) keeps its text
    return markChecked({ ...(cfg as ChurnConfig), trace });
  }
  return markChecked(cfg as ChurnConfig);
}

/** What `installChurn` returns: counters, and a switch to stop further transitions. */
export interface Churn {
  readonly stats: { joins: number; leaves: number; crashes: number; massFailed: number };
  /** No transition after this call (peers keep their current state). */
  stop(): void;
}

const OP_LEAVE = 0;
const OP_JOIN = 1;
const OP_LEAVE_GRACEFUL = 2;
const OP_LEAVE_CRASH = 3;

/**
 * Installs churn on a world: schedules every peer's transitions from `startMs` (or now, if later).
 * Validates the config first (ConfigError naming the key), unless it comes checked. Randomness comes from the simulator's
 * seeded root, forked as 'churn', so adding churn does not shift other streams.
 */
export function installChurn(world: World, config: ChurnConfig, prefix = 'churn'): Churn {
  const cfg = isChecked(config, world.size) ? config : validateChurnConfig(config, prefix);
  const sim = world.sim;
  const rng = sim.rng.fork('churn');
  const n = world.size;
  const alive = world.alive;
  const gracefulP = cfg.graceful ?? 0;
  const stopMs = cfg.stopMs ?? Infinity;
  const startAt = Math.max(sim.now, cfg.startMs ?? 0);
  const onTime = cfg.on ? sessionSampler(cfg.on, rng) : null;
  const offTime = cfg.off ? sessionSampler(cfg.off, rng) : null;
  const stats = { joins: 0, leaves: 0, crashes: 0, massFailed: 0 };
  // epoch per peer: a pending transition carries it, and is ignored when it no longer matches
  const epoch = new Uint32Array(cfg.trace !== undefined ? 0 : n);
  // what the handlers below change, where a keyframe of the run reaches it (snapshot.ts)
  const st = sim.keep({ stopped: false, stats, epoch });
  const EPOCH_SPAN = 4;

  const doLeave = (peer: PeerId, graceful: boolean): void => {
    if (alive[peer] !== 1) return;
    stats.leaves++;
    if (!graceful) stats.crashes++;
    world.leave(peer, graceful);
  };
  const doJoin = (peer: PeerId): void => {
    if (alive[peer] === 1) return;
    stats.joins++;
    world.join(peer);
  };

  const scheduleNext = (peer: PeerId, op: number, from: number): void => {
    const sample = op === OP_JOIN ? offTime : onTime;
    if (sample === null) return;
    const at = from + sample();
    if (!(at <= stopMs) || at === Infinity) return; // a heavy tail can overflow: that session never ends
    sim.at(at, transition, peer, epoch[peer]! * EPOCH_SPAN + op);
  };

  const transition = sim.register((peer, arg) => {
    if (st.stopped) return;
    const op = arg % EPOCH_SPAN;
    if (Math.floor(arg / EPOCH_SPAN) !== epoch[peer]) return;
    if (op === OP_LEAVE) {
      doLeave(peer, gracefulP > 0 && rng.float() < gracefulP);
      scheduleNext(peer, OP_JOIN, sim.now);
    } else {
      doJoin(peer);
      scheduleNext(peer, OP_LEAVE, sim.now);
    }
  });

  const replay = sim.register((peer, arg) => {
    if (st.stopped) return;
    if (arg === OP_JOIN) doJoin(peer);
    else if (arg === OP_LEAVE_GRACEFUL) doLeave(peer, true);
    else if (arg === OP_LEAVE_CRASH) doLeave(peer, false);
    else doLeave(peer, gracefulP > 0 && rng.float() < gracefulP);
  });

  const failure = sim.register((_t, _a, obj) => {
    if (st.stopped) return;
    const f = obj as MassFailure;
    // choose round(fraction * online) of the online peers, uniformly (partial Fisher-Yates)
    const online: PeerId[] = [];
    for (let i = 0; i < n; i++) if (alive[i] === 1) online.push(i);
    const k = Math.round(f.fraction * online.length);
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(online.length - i);
      const peer = online[j]!;
      online[j] = online[i]!;
      online[i] = peer;
      stats.massFailed++;
      doLeave(peer, f.graceful === true);
      if (epoch.length > 0) {
        epoch[peer] = (epoch[peer]! + 1) >>> 0; // detach from its pending transition
        if (f.rejoin === true) scheduleNext(peer, OP_JOIN, sim.now);
      }
    }
  });

  if (cfg.trace !== undefined) {
    const sessions = cfg.trace as TraceSession[];
    const inTrace = new Uint8Array(n);
    for (const s of sessions) {
      if (s.peer >= n)
        throw new ConfigError(`${prefix}.trace`, `${s.line ? `line ${s.line}: ` : ''}peer ${s.peer} is not in the world (it has ${n} peers)`);
      inTrace[s.peer] = 1;
    }
    const t0 = sim.now;
    // peers the trace mentions are offline except inside their sessions
    const coveredNow = new Uint8Array(n);
    for (const s of sessions) if (s.joinMs <= t0 && s.leaveMs > t0) coveredNow[s.peer] = 1;
    for (let p = 0; p < n; p++) {
      if (inTrace[p] !== 1) continue;
      if (coveredNow[p] === 1) doJoin(p);
      else if (alive[p] === 1) world.leave(p, false);
    }
    for (const s of sessions) {
      if (s.joinMs > t0 && s.joinMs <= stopMs) sim.at(s.joinMs, replay, s.peer, OP_JOIN);
      if (s.leaveMs > t0 && s.leaveMs <= stopMs && s.leaveMs !== Infinity) {
        const op = s.graceful === undefined ? OP_LEAVE : s.graceful ? OP_LEAVE_GRACEFUL : OP_LEAVE_CRASH;
        sim.at(s.leaveMs, replay, s.peer, op);
      }
    }
  } else if (onTime !== null || offTime !== null) {
    for (let p = 0; p < n; p++) scheduleNext(p, alive[p] === 1 ? OP_LEAVE : OP_JOIN, startAt);
  }

  for (const f of cfg.massFailures ?? []) sim.at(Math.max(f.atMs, sim.now), failure, 0, 0, f);

  return {
    stats,
    stop: () => {
      st.stopped = true;
    },
  };
}
