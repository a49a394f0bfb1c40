/**
 * A live room under attack (`peerlab bench sync --malicious M`, and test/live/trust-live.test.ts): Node
 * peer processes over real WebRTC, the sync peer's trust layer on, the last M of them attackers with one
 * behaviour (drop, corrupt, spam, badmouth: src/protocols/sync/trust/behaviours.ts; badmouthers praise
 * each other). The honest peers edit (stamped edits, `rate` a second over the room) from the moment every
 * honest peer is linked and every attacker has met one; every 250 ms (from the moment every process is up)
 * their reports say which links are open. An attacker is isolated when no honest peer holds an open link to
 * it; the room's time to isolate is from the first edit until every attacker is isolated (0 when they were
 * cut while the room was still linking: a spammer sends junk from its first link), and it must still be so
 * when the run ends. Then the edits stop and the honest replicas must converge, each holding every honest
 * peer's edits.
 *
 * Keys are made first in each peer's data directory (the ids follow from them), so the attackers know
 * one another's ids and the run can name who is who.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../../core/index.js';
import type { Behaviour } from '../../protocols/sync/index.js';
import type { LinkInfo } from '../../live/overlay/room.js';
import { PeerProcess } from '../../live/peer-process-client.js';
import type { PeerReport } from '../../live/peer.js';
import { SignalingServer } from '../../live/signaling/server.js';
import { loadOrCreatePeerKeys } from '../../live/trust-key-file.js';

export interface MaliciousRoomOptions {
  peers: number;
  malicious: number;
  behaviour: Behaviour;
  /** Longest wait for every attacker to be isolated, from the first edit. */
  isolateWithinMs: number;
  /** After isolation, how long the room keeps editing (attackers must stay isolated). */
  holdMs: number;
  /** Edits per second over the honest peers. */
  rate: number;
  /** Convergence bound once the edits stop. */
  convergeWithinMs: number;
  seed: number;
  log?: (line: string) => void;
}

export interface MaliciousRoomResult {
  behaviour: Behaviour;
  peers: number;
  maliciousPeers: number;
  /** Attackers no honest peer holds an open link to when the run ends. */
  maliciousIsolated: number;
  /** From the first edit until every attacker was isolated; null if that never happened in isolateWithinMs. */
  timeToIsolateMs: number | null;
  /** Per attacker: when it was last seen linked to an honest peer, in ms since every peer process was up (0: never seen linked; null: linked at the end). */
  isolatedAtMs: (number | null)[];
  /** Attackers seen linked to an honest peer at least once (one never seen was caught, or refused, before a 250 ms poll saw it). */
  attackersEverLinked: number;
  /** Honest peers cut off by honest peers (their blacklists), summed over the honest peers. */
  honestLinksCut: number;
  converged: boolean;
  convergeMs: number | null;
  edits: number;
  /** Wall ms from spawning to every peer linked. */
  setupMs: number;
  /** The honest peers' trust counters, summed: what caught the attackers. */
  caught: { forged: number; probesFailed: number; probesTimedOut: number; lies: number; liarCuts: number; opinionsReplayed: number; opinionsOversize: number; opinionsMalformed: number; cuts: number; keysProved: number; keysRefused: number; violations: number };
  /** What the attackers did, summed: messages tampered with, junk sent, messages withheld. */
  attack: { tampered: number; junk: number; withheld: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const openPeers = (links: readonly LinkInfo[]): number[] => links.filter((l) => l.open).map((l) => l.peer);

export async function maliciousRoom(o: MaliciousRoomOptions): Promise<MaliciousRoomResult> {
  const log = o.log ?? (() => {});
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'peerlab-malicious-'));
  const sig = new SignalingServer();
  await sig.listen();
  const procs: PeerProcess[] = [];
  try {
    const dirs = Array.from({ length: o.peers }, (_, i) => path.join(base, `p${i}`));
    const ids = await Promise.all(dirs.map(async (d) => (await loadOrCreatePeerKeys(d)).id));
    const honest = ids.slice(0, o.peers - o.malicious);
    const attackers = ids.slice(o.peers - o.malicious);
    const room = `attack-${o.behaviour}`;
    const t0 = performance.now();
    for (let i = 0; i < o.peers; i++) {
      const bad = i >= o.peers - o.malicious;
      procs.push(
        new PeerProcess({
          room,
          signaling: sig.url,
          docs: ['main'],
          name: `${bad ? o.behaviour : 'honest'}-${i}`,
          peerId: ids[i]!,
          dataDir: dirs[i]!,
          fsync: 'never',
          seed: o.seed * 101 + i,
          trust: true,
          ...(bad ? { behaviour: o.behaviour, colluders: attackers } : {}),
        }),
      );
    }
    await Promise.all(procs.map((p) => p.ready));
    const readyAt = performance.now();
    const honestProcs = procs.slice(0, honest.length);
    const reports = (): Promise<PeerReport[]> => Promise.all(honestProcs.map((p) => p.state()));
    // when each attacker was last seen linked to an honest peer (ms since every process was up), from the start:
    // an attacker may be caught while the room is still linking (a spammer sends from its first link)
    const lastLinked = new Map<number, number>();
    const watch = async (): Promise<{ honestLinked: boolean; attackersMet: boolean; linked: Set<number> }> => {
      const rs = await reports();
      const t = performance.now() - readyAt;
      const linked = new Set(rs.flatMap((r) => openPeers(r.links)));
      for (const a of attackers) if (linked.has(a)) lastLinked.set(a, t);
      const cut = new Set(rs.flatMap((r) => r.trust?.cuts ?? []));
      return { honestLinked: rs.every((r) => openPeers(r.links).length > 0), attackersMet: attackers.every((a) => lastLinked.has(a) || cut.has(a)), linked };
    };
    // the room is up when every honest peer has an open link and every attacker has met an honest peer (seen
    // linked, or already cut): before that an attacker is "isolated" only because it has not joined yet
    const linkDeadline = performance.now() + 30_000;
    for (;;) {
      const w = await watch();
      if (w.honestLinked && w.attackersMet) break;
      if (performance.now() > linkDeadline) throw new Error(w.honestLinked ? 'an attacker met no honest peer within 30 s' : 'the honest peers did not all link within 30 s');
      await sleep(200);
    }
    const setupMs = performance.now() - t0;
    log(`${o.behaviour}: ${o.peers} peers (${o.malicious} attacking) linked in ${Math.round(setupMs)} ms; editing`);

    const rng = new Rng(o.seed);
    const start = performance.now();
    let allIsolatedAt: number | null = null;
    let edits = 0;
    let nextEdit = start;
    let nextPoll = start;
    const inflight: Promise<unknown>[] = [];
    const endBy = start + o.isolateWithinMs;
    let stopAt = endBy;
    while (performance.now() < stopAt) {
      const now = performance.now();
      if (now >= nextEdit) {
        inflight.push(honestProcs[rng.int(honestProcs.length)]!.call('edits', { doc: 'main', seed: rng.int(2 ** 31), count: 1, stamp: true }).catch(() => {}));
        edits++;
        nextEdit += 1000 / o.rate;
      }
      if (now >= nextPoll) {
        nextPoll += 250;
        const { linked } = await watch();
        const t = performance.now();
        const isolated = attackers.every((a) => !linked.has(a));
        if (isolated && allIsolatedAt === null) {
          allIsolatedAt = t - start;
          stopAt = Math.min(endBy + o.holdMs, t + o.holdMs);
          log(`${o.behaviour}: every attacker isolated ${Math.round(allIsolatedAt)} ms after the first edit; holding ${o.holdMs} ms`);
        } else if (!isolated && allIsolatedAt !== null) {
          // linked again: isolation did not hold, so it has not happened yet
          allIsolatedAt = null;
          stopAt = endBy;
        }
      }
      await sleep(Math.max(1, Math.min(nextEdit, nextPoll) - performance.now()));
    }
    await Promise.all(inflight);
    const final = await reports();
    const linkedAtEnd = new Set(final.flatMap((r) => openPeers(r.links)));
    const maliciousIsolated = attackers.filter((a) => !linkedAtEnd.has(a)).length;
    const honestSet = new Set(honest);
    const honestLinksCut = final.reduce((n, r) => n + (r.trust?.cuts.filter((p) => honestSet.has(p)).length ?? 0), 0);

    // convergence: every honest replica holds the same text and every honest peer's edits
    const made = new Set<string>();
    for (const [i, p] of honestProcs.entries()) for (const s of await p.stamps('main')) if (s.startsWith(`${honest[i]}:`)) made.add(s);
    const c0 = performance.now();
    let convergeMs: number | null = null;
    while (performance.now() - c0 < o.convergeWithinMs) {
      const [texts, marks] = await Promise.all([Promise.all(honestProcs.map((p) => p.text('main'))), Promise.all(honestProcs.map((p) => p.stamps('main')))]);
      if (texts.every((t) => t === texts[0]) && marks.every((m) => [...made].every((s) => m.includes(s)))) {
        convergeMs = performance.now() - c0;
        break;
      }
      await sleep(200);
    }
    const after = await reports();
    const sum = (k: keyof NonNullable<PeerReport['trust']>['stats'], rs: PeerReport[]): number => rs.reduce((n, r) => n + (r.trust?.stats[k] ?? 0), 0);
    const bad = await Promise.all(procs.slice(honest.length).map((p) => p.state()));
    const round = (x: number | null): number | null => (x === null ? null : Math.round(x));
    return {
      behaviour: o.behaviour,
      peers: o.peers,
      maliciousPeers: o.malicious,
      maliciousIsolated,
      timeToIsolateMs: allIsolatedAt === null ? null : Math.max(0, Math.round(allIsolatedAt)),
      isolatedAtMs: attackers.map((a) => (linkedAtEnd.has(a) ? null : Math.round(lastLinked.get(a) ?? 0))),
      attackersEverLinked: attackers.filter((a) => lastLinked.has(a)).length,
      honestLinksCut,
      converged: convergeMs !== null,
      convergeMs: round(convergeMs),
      edits,
      setupMs: Math.round(setupMs),
      caught: {
        forged: sum('forged', after),
        probesFailed: sum('probesFailed', after),
        probesTimedOut: sum('probesTimedOut', after),
        lies: sum('lies', after),
        liarCuts: sum('liarCuts', after),
        opinionsReplayed: sum('opinionsReplayed', after),
        opinionsOversize: sum('opinionsOversize', after),
        opinionsMalformed: sum('opinionsMalformed', after),
        cuts: sum('cuts', after),
        keysProved: sum('keysProved', after),
        keysRefused: sum('keysRefused', after),
        violations: after.reduce((n, r) => n + r.violations, 0),
      },
      attack: { tampered: sum('tampered', bad), junk: sum('junk', bad), withheld: sum('withheld', bad) },
    };
  } finally {
    await Promise.all(procs.map((p) => p.close()));
    await sig.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}
