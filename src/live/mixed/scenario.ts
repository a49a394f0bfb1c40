/**
 * The scenario of a simulated population joining a live room: either a scenario text the user gives
 * (YAML or JSON, `protocol.type: sync`, validated like any scenario plus checkMixedScenario), or one
 * built from a few settings (`live.addSimulated {count, ...}`) with a modelled network suited to a room
 * of people co-editing: 5-40 ms between two peers, 20 Mbit/s up and 50 Mbit/s down each.
 */
import { isObject } from '../../core/check.js';
import { parseScenario, parseText, ScenarioError, type Scenario } from '../../lab/scenario.js';
import { scenarioFromText } from '../../lab/load.js';
import { checkMixedScenario, mixedIssues } from './population.js';

/** Simulated peers one population holds at most (each is a Y.Doc, a Kademlia node and Plumtree state: ~1 MB). */
export const MAX_SIMULATED = 2000;

export interface PopulationSettings {
  /** Simulated peers. */
  count: number;
  /** The live room it joins. */
  room: string;
  /** Simulated peers that edit (0: none), and their edits per second in all. Defaults 5 and 1. */
  editors?: number;
  editsPerSecond?: number;
  /** Edits in all (default: until the population is removed, at most 10^7). */
  edits?: number;
  /** One-way latency between two simulated peers: uniform in [minMs, maxMs]. Defaults 5 and 40. */
  latencyMs?: [number, number];
  /** Editors' cursors spread as awareness (and cross the bridge: windows list them). Default true. */
  awareness?: boolean;
  /** The peers arrive over this many seconds. Default 5. */
  joinSeconds?: number;
  seed?: number;
}

/** A scenario for `settings`, validated (ScenarioError naming the key on a bad setting). */
export function populationScenario(s: PopulationSettings): Scenario {
  const editors = Math.min(s.editors ?? 5, s.count);
  const rate = s.editsPerSecond ?? 1;
  const [minMs, maxMs] = s.latencyMs ?? [5, 40];
  const raw = {
    name: `${s.count} simulated peers in room ${s.room}`,
    description: 'a simulated population joining a live room through a bridge peer (docs/sync.md, Mixed rooms)',
    seed: s.seed ?? 1,
    peers: s.count,
    network: { latency: { model: 'uniform', minMs, maxMs }, bandwidth: [{ fraction: 1, up: '20Mbit/s', down: '50Mbit/s' }] },
    protocol: { type: 'sync', mode: 'overlay', room: s.room },
    workload: {
      editors: Math.max(1, editors),
      // a population edits until it is removed (at most 10^7 edits)
      edits: editors > 0 && rate > 0 ? (s.edits ?? 10_000_000) : 0,
      startMs: 2000,
      intervalMs: rate > 0 ? 1000 / rate : 1000,
      joiners: 0,
      joinWindowMs: (s.joinSeconds ?? 5) * 1000,
      awareness: s.awareness ?? true,
    },
    // a population runs until it is removed; `until` only bounds the scenario's own checks
    until: '1000h',
    observe: { sampleEvery: '10s', snapshots: [] },
  };
  const scenario = parseScenario(raw, '<live.addSimulated>');
  checkCount(scenario);
  return scenario;
}

/** A scenario text the user gave, checked as a population of `room` (count, if given, sets `peers`). */
export function populationFromText(text: string, room: string, count?: number): Scenario {
  const source = '<live.addSimulated scenario>';
  // what makes it no population of this room is said first, whatever else is wrong with it
  const raw = parseText(text, source);
  const protocol = isObject(raw) && isObject(raw.protocol) ? raw.protocol : {};
  const early = mixedIssues(protocol, room);
  let scenario: Scenario;
  try {
    scenario = scenarioFromText(text, source, count !== undefined ? { set: [`peers=${count}`] } : {});
  } catch (e) {
    if (e instanceof ScenarioError && early.length > 0) throw new ScenarioError([...early, ...e.issues.filter((i) => !early.some((x) => x.path === i.path))], e.source);
    throw e;
  }
  checkMixedScenario(scenario, room);
  checkCount(scenario);
  return scenario;
}

function checkCount(s: Scenario): void {
  if (s.peers > MAX_SIMULATED)
    throw new ScenarioError([{ path: 'peers', problem: `a live room takes at most ${MAX_SIMULATED} simulated peers per population, got ${s.peers}` }], s.source);
}
