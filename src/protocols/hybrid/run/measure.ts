/**
 * What the run measures beyond BitTorrent's own figures: how long a leecher waits for its first peer,
 * the connections opened, and, sampled every `sampleMs`, the mean connections of online peers and the
 * DHT's traffic per peer.
 */
import type { PeerId } from '../../../core/index.js';
import type { World } from '../../../sim/index.js';
import type { Series } from '../../driver.js';
import type { BittorrentRun } from '../../bittorrent/driver.js';
import type { Swarm } from '../../bittorrent/swarm.js';
import type { DhtTraffic } from './dht.js';

/** Its state is in fields and kept by the simulator (`sim.keep`), so keyframes copy it. */
export class HybridMeasures {
  /** Per leecher, virtual ms from joining to its first completed handshake. */
  readonly firstPeerMs: number[] = [];
  private readonly hadPeer: Uint8Array;
  /** Handshakes completed, counted at both ends. */
  connectedEnds = 0;
  readonly connected: Series = { t: [], v: [] };
  readonly dhtBytes: Series = { t: [], v: [] };
  readonly dhtMessages: Series = { t: [], v: [] };

  constructor(
    private readonly world: World,
    private readonly traffic: DhtTraffic,
    private readonly sampleMs: number,
  ) {
    this.hadPeer = new Uint8Array(world.size);
    world.sim.keep(this);
  }

  /** A handshake completed at `peer`'s end. */
  connectedAt(swarm: Swarm, peer: PeerId): void {
    this.connectedEnds++;
    if (this.hadPeer[peer] === 1 || swarm.isSeedAtStart(peer)) return;
    this.hadPeer[peer] = 1;
    const st = swarm.state(peer);
    if (st) this.firstPeerMs.push(this.world.sim.now - st.joinedAt);
  }

  /** Samples from now on, every `sampleMs` until the download is complete. */
  start(bt: BittorrentRun): void {
    const sim = this.world.sim;
    const kind = sim.register(() => {
      this.sample(bt.swarm);
      if (!bt.isComplete()) sim.schedule(this.sampleMs, kind);
    });
    sim.schedule(0, kind);
  }

  private sample(swarm: Swarm): void {
    const world = this.world;
    const n = world.size;
    let conns = 0, online = 0;
    for (let p = 0; p < n; p++) {
      if (world.alive[p] !== 1) continue;
      const st = swarm.state(p);
      if (!st) continue;
      online++;
      conns += st.conns.size;
    }
    const t = world.sim.now;
    push(this.connected, t, online > 0 ? conns / online : 0);
    push(this.dhtBytes, t, this.traffic.bytes / n);
    push(this.dhtMessages, t, this.traffic.messages / n);
  }
}

function push(s: Series, t: number, v: number): void {
  s.t.push(t);
  s.v.push(v);
}
