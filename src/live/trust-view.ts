/**
 * The room's trust as the Live overlay view draws it: each peer with trust on judges only its own
 * neighbours (its trust score per link, and the peers it cut), so what the room thinks of a peer is put
 * together here from every peer's report. Pure (browser-safe).
 *
 * - `heldScore`: the mean, over the room's judging peers (alive, honest) that hold a view of the peer, of
 *   that view: their link's trust score, or 0 if they cut it. Absent when none does.
 * - `cut`, `cutBy`: whether / by how many judging peers it was cut off.
 * Attackers judge no one, so their reports count for nothing here.
 */
import type { LinkInfo, TrustReport } from './overlay/room.js';

export interface PeerTrustView extends TrustReport {
  heldScore?: number;
  cut: boolean;
  cutBy: number;
}

export interface TrustReporter {
  id: number;
  alive: boolean;
  links: readonly LinkInfo[];
  trust?: TrustReport | null | undefined;
}

/** Each reporting peer's trust report with the room's view of it added (peers without a report: absent). */
export function roomTrust(peers: readonly TrustReporter[]): Map<number, PeerTrustView> {
  const held = new Map<number, { sum: number; n: number; cutBy: number }>();
  const at = (p: number) => {
    let h = held.get(p);
    if (!h) held.set(p, (h = { sum: 0, n: 0, cutBy: 0 }));
    return h;
  };
  for (const j of peers) {
    if (!j.alive || !j.trust || j.trust.behaviour !== 'honest') continue;
    const view = new Map<number, number>();
    for (const l of j.links) if (l.open && l.score !== undefined && l.peer !== j.id) view.set(l.peer, l.score);
    for (const p of j.trust.cuts) {
      view.set(p, 0);
      at(p).cutBy++;
    }
    for (const [p, s] of view) {
      const h = at(p);
      h.sum += s;
      h.n++;
    }
  }
  const out = new Map<number, PeerTrustView>();
  for (const p of peers) {
    if (!p.trust) continue;
    const h = held.get(p.id);
    out.set(p.id, {
      behaviour: p.trust.behaviour,
      cuts: p.trust.cuts,
      stats: p.trust.stats,
      ...(h && h.n > 0 ? { heldScore: h.sum / h.n } : {}),
      cut: (h?.cutBy ?? 0) > 0,
      cutBy: h?.cutBy ?? 0,
    });
  }
  return out;
}
