/**
 * Runs a scenario to its end and gathers what reports need: the driver's summary, series and samples,
 * the session's own series, connectivity snapshots (with geo positions), and the run's size in time
 * and events. Used by `peerlab run`, the sweep workers and `peerlab compare`.
 */
import type { OverlaySnapshot, ProtocolDriver, Series, SummaryValue } from '../protocols/driver.js';
import type { Scenario } from './scenario.js';
import { createSession, type Session } from './session.js';

export interface RunResult {
  scenario: string;
  protocol: string;
  seed: number;
  peers: number;
  /** Virtual time when the run stopped. */
  virtualTimeMs: number;
  endReason: 'time' | 'complete' | 'idle';
  events: number;
  messages: number;
  bytes: number;
  /** The driver's summary keys. */
  summary: Record<string, SummaryValue>;
  /** Driver series and the session's own (online, messages, bytes, dropped). */
  series: Record<string, Series>;
  samples: Record<string, number[]>;
  snapshots: OverlaySnapshot[];
  /** Positions (unit square) of the peers drawn in snapshots, by id; empty without geo latency. */
  positions: Record<number, [number, number]>;
  wallMs: number;
}

export interface RunOptions {
  seed?: number;
  drivers?: Record<string, ProtocolDriver>;
  /** Called every few hundred ms of wall time with the fraction of the virtual-time budget done. */
  onProgress?: (fraction: number, virtualMs: number) => void;
  /** Virtual time per slice between progress checks. Default: untilMs / 1000 (at least the sample period). */
  sliceMs?: number;
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const started = performance.now();
  const s = createSession(scenario, { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.drivers ? { drivers: opts.drivers } : {}) });
  return runSession(s, opts, started);
}

/** Runs a session made by createSession to its end (see runScenario). */
export function runSession(s: Session, opts: RunOptions = {}, started = performance.now()): RunResult {
  const scenario = s.scenario;
  const slice = opts.sliceMs ?? Math.max(scenario.observe.sampleMs, s.untilMs / 1000);
  let lastReport = started;
  while (!s.isDone()) {
    s.advance(slice);
    if (opts.onProgress) {
      const now = performance.now();
      if (now - lastReport > 200) {
        lastReport = now;
        opts.onProgress(Math.min(1, s.sim.now / s.untilMs), s.sim.now);
      }
    }
  }
  opts.onProgress?.(1, s.sim.now);
  const positions: Record<number, [number, number]> = {};
  for (const snap of s.snapshots)
    for (const p of snap.peers) {
      if (positions[p.id] !== undefined) continue;
      const pos = s.position(p.id);
      if (pos) positions[p.id] = [pos[0], pos[1]];
    }
  return {
    scenario: scenario.name,
    protocol: scenario.protocol.type,
    seed: s.seed,
    peers: scenario.peers,
    virtualTimeMs: s.sim.now,
    endReason: s.endReason ?? 'time',
    events: s.sim.eventsProcessed,
    messages: s.world.stats.sent,
    bytes: s.world.stats.bytesSent,
    summary: s.run.summary(),
    series: { ...s.run.series(), ...prefixed(s.series()) },
    samples: s.run.samples(),
    snapshots: s.snapshots,
    positions,
    wallMs: performance.now() - started,
  };
}

/** The session's own series under names that cannot collide with a driver's. */
function prefixed(series: Record<string, Series>): Record<string, Series> {
  const out: Record<string, Series> = {};
  for (const [k, v] of Object.entries(series)) out[`net.${k}`] = v;
  return out;
}
