/**
 * The workload of a Kademlia run: `stores` values published at a fixed rate, each by a random online
 * peer, then (after `settleMs`) `lookups` FIND_VALUE of a published key or FIND_NODE of a random id,
 * each from a random online peer, all real simulator messages; and what each lookup gave.
 *
 * Success: a value lookup succeeds when it returns the value; a node lookup when the k peers it
 * returns are exactly the true k closest online peers (checked against the sorted-id oracle).
 */
import type { PeerId, Rng } from '../../../core/index.js';
import type { Series } from '../../driver.js';
import { randomId, type NodeId } from '../id.js';
import type { KademliaNode, LookupResult, PutResult } from '../node.js';
import { cont, markStatic } from '../../../sim/index.js';
import type { KademliaParams, KademliaWorkload } from './params.js';
import type { Population } from './population.js';

interface Outstanding {
  origin: PeerId;
  node: KademliaNode;
  issuedAt: number;
}

export class Workload {
  readonly kind: 'value' | 'node';
  /** Keys whose STORE reached at least one peer (a publisher that crashes mid-STORE publishes nothing). */
  readonly published: NodeId[] = [];
  /** Replicas each STORE reached, in the order the STOREs went out. */
  readonly storedReplicas: number[] = [];
  storesDone = 0;
  readonly hops: number[] = [];
  readonly roundTrips: number[] = [];
  readonly latencies: number[] = [];
  readonly messages: number[] = [];
  lookupsIssued = 0;
  lookupsDone = 0;
  successes = 0;
  /** Sum over node lookups of the share of the true k closest they found. */
  recallSum = 0;
  abandoned = 0;
  readonly successSeries: Series = { t: [], v: [] };
  readonly latencySeries: Series = { t: [], v: [] };
  private readonly outstanding = new Map<number, Outstanding>();
  private nextLookupId = 0;
  /** Every key published (also those whose STORE reached nobody). */
  private readonly keys: NodeId[] = [];
  /** Draws of the workload: keys, values, targets. */
  private readonly rng: Rng;

  /** Schedules the STOREs from `begin`, then the lookups. */
  constructor(
    private readonly pop: Population,
    private readonly params: KademliaParams,
    private readonly workload: KademliaWorkload,
    begin: number,
  ) {
    this.kind = workload.kind ?? (workload.stores > 0 ? 'value' : 'node');
    const sim = pop.world.sim;
    // the state lives in this object, which keyframes reach through sim.keep (src/sim/snapshot.ts)
    sim.keep(this);
    const workRng = (this.rng = sim.rng.fork('kademlia-workload'));
    const keys = this.keys;
    const storeKind = sim.register(() => {
      const origin = pop.pickOnline(-1, true);
      if (origin < 0) return;
      const node = pop.nodes[origin]!;
      const key = randomId(workRng, params.idBits);
      const value = new Uint8Array(workload.valueBytes);
      for (let i = 0; i < value.length; i++) value[i] = workRng.int(256);
      keys.push(key);
      const idx = this.storedReplicas.length;
      this.storedReplicas.push(0);
      node.put(key, value, cont(stored, this, idx, key));
    });
    const storeGap = 1000 / (workload.storeRatePerSec ?? workload.ratePerSec);
    for (let i = 0; i < workload.stores; i++) sim.at(begin + i * storeGap, storeKind);
    const lookupStart = begin + workload.stores * storeGap + (workload.stores > 0 ? workload.settleMs : 0);
    const lookupKind = sim.register(() => this.lookup());
    const gap = 1000 / workload.ratePerSec;
    for (let i = 0; i < workload.lookups; i++) sim.at(lookupStart + i * gap, lookupKind);
  }

  private lookup(): void {
    const pop = this.pop;
    const workRng = this.rng;
    const sim = pop.world.sim;
    const origin = pop.pickOnline(-1, true);
    this.lookupsIssued++;
    if (origin < 0) {
      this.abandoned++;
      return;
    }
    const node = pop.nodes[origin]!;
    const id = this.nextLookupId++;
    this.outstanding.set(id, { origin, node, issuedAt: sim.now });
    const done = cont(finished, this, id, origin);
    if (this.kind === 'value') {
      if (this.published.length === 0) {
        this.outstanding.delete(id);
        this.abandoned++;
        return;
      }
      node.findValue(workRng.pick(this.published), done);
    } else node.findNode(randomId(workRng, this.params.idBits), done);
  }

  /** A STORE round ended (its replicas counted). */
  stored(idx: number, key: NodeId, r: PutResult): void {
    this.storedReplicas[idx] = r.stored;
    this.storesDone++;
    if (r.stored > 0) this.published.push(key);
  }

  /** A lookup ended. */
  finished(id: number, origin: PeerId, r: LookupResult): void {
    if (!this.outstanding.delete(id)) return;
    const now = this.pop.world.sim.now;
    this.lookupsDone++;
    let ok: boolean;
    if (this.kind === 'value') ok = r.found;
    else {
      const alive = this.pop.world.alive;
      const truth = this.pop.oracle.closestTo(r.target, this.params.k, (p) => p !== origin && alive[p] === 1);
      let hit = 0;
      const got = new Set(r.closest.map((c) => c.peer));
      for (const p of truth) if (got.has(p)) hit++;
      this.recallSum += truth.length > 0 ? hit / truth.length : 1;
      ok = hit === truth.length && r.closest.length === truth.length;
    }
    if (ok) this.successes++;
    this.hops.push(r.hops);
    this.roundTrips.push(r.roundTrips);
    this.latencies.push(r.durationMs);
    this.messages.push(r.messages);
    this.successSeries.t.push(now);
    this.successSeries.v.push(this.successes / this.lookupsDone);
    this.latencySeries.t.push(now);
    this.latencySeries.v.push(r.durationMs);
  }

  /** Lookups whose origin went offline (or was replaced by a fresh node) will never report. */
  sweepAbandoned(): void {
    const alive = this.pop.world.alive;
    for (const [id, r] of this.outstanding) {
      if (alive[r.origin] !== 1 || this.pop.nodes[r.origin] !== r.node) {
        this.outstanding.delete(id);
        this.abandoned++;
      }
    }
  }

  isComplete(): boolean {
    this.sweepAbandoned();
    return this.lookupsIssued === this.workload.lookups && this.outstanding.size === 0;
  }
}

// the nodes keep these continuations with their lookups and STOREs (keyframes copy them: src/sim/snapshot.ts)
const stored = markStatic((w: Workload, idx: number, key: NodeId, r: PutResult): void => w.stored(idx, key, r));
const finished = markStatic((w: Workload, id: number, origin: PeerId, r: LookupResult): void => w.finished(id, origin, r));
