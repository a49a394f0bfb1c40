/**
 * The lab driver for `protocol.type: kademlia`, assembled from its parts in run/:
 *
 * - `params.ts`      the scenario keys (protocol parameters and workload)
 * - `population.ts`  ids, contacts, one KademliaNode per online peer, the initial tables (prefill or joins)
 * - `workload.ts`    STOREs, then lookups from random online peers, and what each lookup gave
 * - `report.ts`      summary, series and samples
 * - `snapshot.ts`    the overlay view for the dashboard and the report
 */
import type { ConfigIssue, PeerId } from '../../core/index.js';
import type { DriverRun, ProtocolDriver } from '../driver.js';
import type { World } from '../../sim/index.js';
import type { NodeId } from './id.js';
import type { KademliaNode } from './node.js';
import type { SortedIds } from './prefill.js';
import { kademliaParams, kademliaWorkload, type KademliaParams, type KademliaWorkload } from './run/params.js';
import { Population } from './run/population.js';
import { samples, series, summary } from './run/report.js';
import { overlaySnapshot } from './run/snapshot.js';
import { Workload } from './run/workload.js';

export { kademliaParams, kademliaWorkload, type KademliaParams, type KademliaWorkload } from './run/params.js';

export interface KademliaRun extends DriverRun {
  /** The node of an online peer. */
  node(peer: PeerId): KademliaNode | undefined;
  readonly ids: readonly NodeId[];
  readonly oracle: SortedIds;
}

/** What the schemas cannot check one key at a time. */
export function combinationIssues(_params: KademliaParams, workload: KademliaWorkload): ConfigIssue[] {
  const kind = workload.kind ?? (workload.stores > 0 ? 'value' : 'node');
  if (kind === 'value' && workload.stores === 0 && workload.lookups > 0) return [{ path: 'workload.kind', problem: "'value' lookups need workload.stores > 0" }];
  return [];
}

/** A run from parameters built in code: their combination is checked first (RangeError). */
export function createKademliaRun(ctx: { world: World; seed: number }, params: KademliaParams, workload: KademliaWorkload): KademliaRun {
  const issue = combinationIssues(params, workload)[0];
  if (issue) throw new RangeError(`${issue.path}: ${issue.problem}`);
  return buildKademliaRun(ctx.world, params, workload);
}

/** The run, from parameters whose combination has been checked. */
function buildKademliaRun(world: World, params: KademliaParams, workload: KademliaWorkload): KademliaRun {
  const pop = new Population(world, params, workload.valueBytes, world.sim.rng.fork('kademlia-driver'));
  pop.install();
  const begin = pop.build(workload.startMs);
  const wl = new Workload(pop, params, workload, begin);
  return {
    ids: pop.ids,
    oracle: pop.oracle,
    node: (peer) => (world.alive[peer] === 1 ? pop.nodes[peer] : undefined),
    isComplete: () => wl.isComplete(),
    summary: () => summary(pop, params, wl),
    series: () => series(wl),
    samples: () => samples(wl),
    snapshot: (maxPeers = 500) => overlaySnapshot(pop, params.k, maxPeers),
  };
}

export const driver: ProtocolDriver<KademliaParams, KademliaWorkload> = {
  type: 'kademlia',
  params: kademliaParams,
  workload: kademliaWorkload,
  check: combinationIssues,
  create: (ctx, params, workload) => buildKademliaRun(ctx.world, params, workload),
};
