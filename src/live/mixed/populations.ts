/**
 * The simulated populations of the host's live room (`live.addSimulated`): each a SimulatedPopulation
 * with its own bridge peer, numbered from 1 so its peers' ids in the Live graph stay stable and apart.
 * Bounded: at most `maxPeers` simulated peers over all populations (each costs ~1 MB and host CPU).
 */
import type { Scenario } from '../../lab/scenario.js';
import type { LivePeerOptions } from '../peer.js';
import { MAX_POPULATIONS, SimulatedPopulation, type PopulationInfo, type SimulatedPeerReport } from './population.js';
import { populationFromText, populationScenario, type PopulationSettings } from './scenario.js';

export interface AddSimulatedArgs extends Omit<PopulationSettings, 'room'> {
  /** A `protocol.type: sync` scenario (YAML or JSON) instead of the settings; `count` sets its `peers`. */
  scenario?: string;
  /** The room's document the population edits (default: the room's first). */
  doc?: string;
}

/** How a bridge joins the room: what a Node peer of the room is given. */
export type BridgeJoin = Omit<LivePeerOptions, 'peerId' | 'name' | 'dataDir' | 'mode'>;

export const MAX_SIMULATED_TOTAL = 5000;

export class Populations {
  private readonly pops = new Map<number, SimulatedPopulation>();

  constructor(private readonly maxPeers = MAX_SIMULATED_TOTAL) {}

  get size(): number {
    return this.pops.size;
  }

  /** Adds a population to the room `join.room` whose documents are `docs`; RangeError / ScenarioError on bad input. */
  add(a: AddSimulatedArgs, join: BridgeJoin, docs: readonly string[]): PopulationInfo {
    const doc = a.doc ?? docs[0];
    if (doc === undefined || !docs.includes(doc)) throw new RangeError(`doc: the room has no document ${JSON.stringify(a.doc)} (it has ${docs.join(', ')}); open it first`);
    const scenario: Scenario =
      a.scenario !== undefined
        ? populationFromText(a.scenario, join.room, a.count)
        : populationScenario({ ...a, room: join.room });
    let total = scenario.peers;
    for (const p of this.pops.values()) total += p.size;
    if (total > this.maxPeers) throw new RangeError(`count: the room would hold ${total} simulated peers; at most ${this.maxPeers} (remove a population first)`);
    let index = 1;
    while (this.pops.has(index)) index++;
    if (index > MAX_POPULATIONS) throw new RangeError(`at most ${MAX_POPULATIONS} populations`);
    const pop = new SimulatedPopulation({ index, scenario, live: join, doc });
    this.pops.set(index, pop);
    return pop.info();
  }

  remove(id: number): void {
    const p = this.pops.get(id);
    if (!p) throw new RangeError(`id: no simulated population ${id}${this.pops.size ? ` (there are ${[...this.pops.keys()].join(', ')})` : ''}`);
    this.pops.delete(id);
    p.close(true);
  }

  list(): PopulationInfo[] {
    return [...this.pops.values()].map((p) => p.info());
  }

  get(id: number): SimulatedPopulation | undefined {
    return this.pops.get(id);
  }

  /** The text of `doc` at a population's peer (bridge or simulated), or null if no population has that peer or that document. */
  textOf(id: number, doc: string): string | null {
    for (const p of this.pops.values()) {
      if (p.doc !== doc) continue;
      const t = p.textOf(id);
      if (t !== null) return t;
    }
    return null;
  }

  /** Every population's peers in the livePeer shape. */
  reports(): SimulatedPeerReport[] {
    return [...this.pops.values()].flatMap((p) => p.reports());
  }

  closeAll(graceful = true): void {
    for (const p of this.pops.values()) p.close(graceful);
    this.pops.clear();
  }
}
