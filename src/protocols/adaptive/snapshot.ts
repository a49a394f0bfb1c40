/**
 * The dashboard's picture of the adaptive overlay: the current links (union of the peers' views),
 * peers coloured honest / malicious / isolated, each valued by the mean score its honest neighbours
 * give it (0 for an isolated malicious peer).
 */
import type { PeerId } from '../../core/index.js';
import type { PerPeer, World } from '../../sim/index.js';
import type { OverlaySnapshot } from '../driver.js';
import type { AdaptiveMsg } from './messages.js';
import { round3 } from './measure.js';
import type { AdaptivePeer } from './peer.js';

export function adaptiveSnapshot(
  world: World,
  peers: PerPeer<AdaptiveMsg, AdaptivePeer>,
  isBad: Uint8Array,
  honestLinks: Int32Array,
  maxPeers: number,
): OverlaySnapshot {
  const n = world.size;
  const lim = Math.min(n, Math.max(0, Math.floor(maxPeers)));
  const out: OverlaySnapshot['peers'] = [];
  // reputation a peer's honest neighbours hold of it
  const sum = new Float64Array(lim);
  const cnt = new Int32Array(lim);
  for (let p = 0; p < n; p++) {
    const inst = peers.get(p);
    if (!inst || isBad[p] === 1) continue;
    for (const q of inst.links.keys())
      if (q < lim) {
        sum[q]! += inst.trust.score(q);
        cnt[q]!++;
      }
  }
  for (let p = 0; p < lim; p++) {
    const entry: OverlaySnapshot['peers'][number] = {
      id: p,
      alive: world.alive[p] === 1,
      state: isBad[p] === 0 ? 'honest' : honestLinks[p] === 0 ? 'isolated' : 'malicious',
    };
    if (cnt[p]! > 0) entry.value = round3(sum[p]! / cnt[p]!) as number;
    else if (isBad[p] === 1) entry.value = 0;
    out.push(entry);
  }
  const links: [PeerId, PeerId][] = [];
  const seen = new Set<number>();
  for (let p = 0; p < lim; p++) {
    const inst = peers.get(p);
    if (!inst) continue;
    for (const q of inst.links.keys()) {
      if (q >= lim) continue;
      const a = p < q ? p : q;
      const b = p < q ? q : p;
      const key = a * n + b;
      if (seen.has(key)) continue;
      seen.add(key);
      links.push([a, b]);
    }
  }
  return { timeMs: world.sim.now, peers: out, links };
}
