/**
 * What the two flash-crowd cases (BitTorrent with a tracker, the trackerless hybrid) both measure: the
 * swarm run to its last completion, timed, and its completion figures against the Kumar-Ross bound.
 */
import type { SummaryValue } from '../../protocols/driver.js';
import type { Simulator } from '../../sim/index.js';
import type { Figures } from '../runner.js';

export interface SwarmSetup {
  sim: Simulator;
  go(): void;
  run: { swarm: { pieces: number }; summary(): Record<string, SummaryValue> };
}

/** Runs the swarm and returns the shared figures plus its summary for the case's own. */
export function runSwarm(setup: SwarmSetup, leechers: number): { figures: Figures; summary: Record<string, SummaryValue> } {
  const t0 = performance.now();
  setup.go();
  const wallMs = performance.now() - t0;
  const s = setup.run.summary();
  return {
    summary: s,
    figures: {
      peers: leechers + 1,
      pieces: setup.run.swarm.pieces,
      wallMs: Math.round(wallMs),
      lastCompletionMs: s.lastCompletionMs,
      lowerBoundMs: s.lowerBoundMs,
      boundRatio: s.boundRatio,
      meanCompletionMs: s.meanCompletionMs,
      completed: s.completed,
      events: setup.sim.eventsProcessed,
      eventsPerSec: Math.round(setup.sim.eventsProcessed / (wallMs / 1000)),
    },
  };
}
