/**
 * Trust on the live network: Node peer processes over real WebRTC with the sync peer's trust layer and
 * real Ed25519 keys. (1) Corrupting forwarders among them are cut off by every honest peer, no honest link
 * is cut, and the honest replicas converge with every honest edit. (2) A hand-driven peer with a valid key
 * sends what the trust layer must refuse: a gossiped update with a forged origin signature, a replayed and
 * an oversized opinion list, a probe for a message nobody sent, and two 300 KiB pushes (sent in chunks
 * over the data channel) that are sealed but altered after sealing or claim another origin; each is
 * dropped and counted by the Node peer it reached (never trusted, never a crash), which then cuts it off,
 * while the room keeps syncing.
 *
 * Bounds are generous (a loaded 2-core machine): the speed is `peerlab bench sync --malicious`'s to measure.
 */
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { maliciousRoom } from '../../src/bench/cases/sync-malicious.js';
import { OverlayRoom } from '../../src/live/overlay/room.js';
import type { PeerProcess } from '../../src/live/peer-process-client.js';
import type { PeerReport } from '../../src/live/peer.js';
import { nodeWrtc } from '../../src/live/rtc-node.js';
import { SignalingServer } from '../../src/live/signaling/server.js';
import { createPeerKeys } from '../../src/live/trust-keys.js';
import { GOSSIP } from '../../src/protocols/gossip/index.js';
import * as Y from 'yjs';
import { F_GOSSIP, F_PUSH, pushSigningData, seal, T_OPINIONS, T_PROBE, type TrustStats } from '../../src/protocols/sync/index.js';
import { alteredUpdate } from '../../src/protocols/sync/trust/behaviours.js';
import { collectMarks, convergeMarked, sleep, spawnPeers } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function until<T>(what: string, ms: number, f: () => Promise<T | null | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(200);
  }
}

describe('trust on live Node peers', () => {
  it('isolates 2 corrupting forwarders of 6, cuts no honest link, and the honest replicas converge', async () => {
    const r = await maliciousRoom({ peers: 6, malicious: 2, behaviour: 'corrupt', isolateWithinMs: 60_000, holdMs: 3000, rate: 10, convergeWithinMs: 40_000, seed: 3 });
    const why = JSON.stringify(r);
    expect(r.maliciousIsolated, why).toBe(2);
    expect(r.timeToIsolateMs, why).not.toBeNull();
    expect(r.honestLinksCut, why).toBe(0);
    expect(r.converged, why).toBe(true);
    // caught on proof: altered copies with seals that no longer match, or altered proofs of possession
    expect(r.attack.tampered, why).toBeGreaterThan(0);
    expect(r.caught.forged + r.caught.probesFailed, why).toBeGreaterThan(0);
    // at least one attacker cut on proof (an attacker no honest peer ever linked to is isolated without a cut)
    expect(r.caught.cuts, why).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('drops and counts forged updates, replayed and oversized opinions and probes for unknown messages, then cuts their sender', async () => {
    const sig = new SignalingServer();
    await sig.listen();
    cleanup.push(() => sig.close());
    const room = 'hostile-trust';
    const peers: PeerProcess[] = await spawnPeers(3, (i) => ({ room, signaling: sig.url, docs: ['main'], name: `h${i}`, trust: true, seed: 40 + i }));
    cleanup.push(async () => void (await Promise.all(peers.map((p) => p.close()))));
    const ids = peers.map((p) => p.id);

    // the attacker: a peer of the room in this process with a valid key, driven by hand
    const keys = await createPeerKeys();
    const attacker = new OverlayRoom({ room, signaling: sig.url, RTCPeerConnection: nodeWrtc().RTCPeerConnection, WebSocket: WebSocket as never, trust: { crypto: keys }, seed: 7 });
    cleanup.push(async () => attacker.close(false));
    const trust = attacker.peer.trust!;
    const target = await until('the attacker has a trusted link to a Node peer', 30_000, async () => ids.find((id) => trust.trusted(id)) ?? null);
    const proc = peers[ids.indexOf(target)]!;
    // and the Node peer has checked the attacker's key too (it judges the link: a score), so what follows is read
    await until('the Node peer trusts the link', 20_000, async () => (await proc.state()).links.some((l) => l.open && l.peer === keys.id && l.score !== undefined));
    const statsOf = async (): Promise<TrustStats> => (await proc.state()).trust!.stats;
    const before = await statsOf();

    // an update claiming an honest origin (under the attacker's key), and one of its own under a signature that does not verify
    const forgedSig = new Uint8Array(64).fill(7);
    const origin = ids.find((id) => id !== target)!;
    const forged = (o: number, seq: number) => ({ t: F_GOSSIP, g: { type: GOSSIP, id: { origin: o, session: 1, seq }, round: 0, payload: seal(keys.publicKey, forgedSig, new Uint8Array([1, 2, 3, 4])), repair: false } }) as const;
    expect(trust.io.sendRaw(target, forged(origin, 1))).toBe(true);
    expect(trust.io.sendRaw(target, forged(keys.id, 1))).toBe(true);
    // an opinion list, then the same sequence number again (a replay), then one longer than maxOpinions (32)
    expect(trust.send(target, { k: T_OPINIONS, seq: 5, entries: [{ peer: origin, good: 1, bad: 0 }] })).toBe(true);
    expect(trust.send(target, { k: T_OPINIONS, seq: 5, entries: [{ peer: origin, good: 1, bad: 0 }] })).toBe(true);
    expect(trust.send(target, { k: T_OPINIONS, seq: 6, entries: Array.from({ length: 40 }, (_, i) => ({ peer: 1000 + i, good: 0, bad: 1 })) })).toBe(true);
    // a probe for a message nobody sent
    expect(trust.send(target, { k: T_PROBE, nonce: 99, id: { origin: 0xdeadbeef, session: 3, seq: 12 } })).toBe(true);
    // a paste too big for gossip, sealed by the attacker and then altered by one letter; and one claiming an honest origin
    const big = new Y.Doc();
    big.getText('text').insert(0, 'forwarded text '.repeat(20_000));
    const update = Y.encodeStateAsUpdate(big);
    const pushSig = await new Promise<Uint8Array>((done) => keys.sign(pushSigningData(room, keys.id, 'main', update), done));
    const altered = alteredUpdate(update)!;
    expect(trust.io.sendRaw(target, { t: F_PUSH, doc: 'main', update: altered, seal: { origin: keys.id, key: keys.publicKey, sig: pushSig } })).toBe(true);
    expect(trust.io.sendRaw(target, { t: F_PUSH, doc: 'main', update, seal: { origin, key: keys.publicKey, sig: pushSig } })).toBe(true);

    const after = await until('the Node peer counted every bad message', 20_000, async () => {
      const s = await statsOf();
      return s.forged >= before.forged + 4 && s.pushesForged >= before.pushesForged + 2 && s.opinionsReplayed > before.opinionsReplayed && s.opinionsOversize > before.opinionsOversize && s.probesForUnknown > before.probesForUnknown
        ? s
        : null;
    });
    expect(after.opinionsTaken).toBeGreaterThan(before.opinionsTaken); // the first list was fine
    // proof against its sender: cut off and refused
    const cutBy = await until('the Node peer cut the attacker off', 20_000, async () => {
      const rep: PeerReport = await proc.state();
      return rep.trust!.cuts.includes(keys.id) && !rep.links.some((l) => l.open && l.peer === keys.id) ? rep : null;
    });
    expect(cutBy.trust!.behaviour).toBe('honest');
    // the honest peers keep syncing
    const made = new Set<string>();
    await Promise.all(peers.map((p, i) => p.call('edits', { doc: 'main', seed: 70 + i, count: 5, intervalMs: 20, stamp: true })));
    for (const [i, p] of peers.entries()) await collectMarks(made, p, ids[i]!, 'main');
    const { text } = await convergeMarked(peers, 'main', made, 30_000, 'honest Node peers');
    expect(made.size).toBe(15);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/forwarded/i);
    for (const p of peers) expect(p.alive).toBe(true);
  }, 120_000);
});
