/**
 * Attackers, for experiments: a sync peer with a behaviour other than `honest` (a Node peer started with
 * one from the Live overlay view, or a simulated one). They follow the protocol where the attack does not
 * need otherwise (links, keys, anti-entropy), judge no one and do not rewire. What each does, as the
 * simulator's adaptive adversaries (src/protocols/adaptive/behaviours/):
 *
 * - `drop`: takes every message in, passes none on (no gossip, no announcement, no push), never answers a probe;
 * - `corrupt`: passes on altered copies (one byte of the payload changed under the origin's seal; a pushed
 *   update gets one letter of its text changed, still a well-formed Yjs update), and answers probes with
 *   altered signatures;
 * - `spam`: sends junk (a random payload under a seal that does not verify) to a random neighbour,
 *   `spamPerSec` times a second;
 * - `badmouth`: every period tells each neighbour that every peer it knows of is bad, with the most weight
 *   allowed, except its fellow attackers (`colluders`), whom it praises; it never names the recipient.
 */
import * as Y from 'yjs';
import { GOSSIP, IHAVE, type MsgId } from '../../gossip/index.js';
import { F_FLOOD, F_GOSSIP, F_PUSH, type Frame } from '../wire/frames.js';
import { TT_SPAM, type ProofAnswer, type TrustParts } from './core.js';
import { SIG_BYTES, T_OPINIONS, type WireOpinion } from './messages.js';
import { seal, SEAL_BYTES } from './sealed.js';

const JUNK_BYTES = 64;

function flipped(b: Uint8Array, at: number): Uint8Array {
  const c = b.slice();
  c[at] = (c[at]! ^ 0x5a) & 0xff;
  return c;
}

/**
 * A pushed update with one letter of its content changed (a case bit flipped), so it still decodes and
 * applies: what a forwarder that alters text under its origin's seal would send. The letter is looked for
 * where the text of an insert lies: the middle of a big update (a paste), else just before the delete set
 * at the end. Null if there is none.
 */
export function alteredUpdate(update: Uint8Array): Uint8Array | null {
  const n = update.length;
  const from = n > 4096 ? n >> 1 : n - 1;
  const to = n > 4096 ? Math.min(n, from + 4096) : -1;
  for (let at = from; at !== to; at += n > 4096 ? 1 : -1) {
    const b = update[at]!;
    if (!((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))) continue;
    const c = update.slice();
    c[at] = b ^ 0x20;
    try {
      Y.decodeUpdate(c);
      return c;
    } catch {
      // a letter that was part of the structure, not the text: try the next
    }
  }
  return null;
}

export class Attack implements ProofAnswer {
  /** The altered copy of each pushed update (the same update goes to every neighbour). */
  private readonly altered = new WeakMap<Uint8Array, Uint8Array | null>();
  private readonly colluders: Set<number>;
  private seq = 0;
  private junkSeq = 0;
  private readonly junkSession: number;

  constructor(private readonly t: TrustParts) {
    this.colluders = new Set(t.o.colluders);
    this.junkSession = t.io.rng.nextU32();
  }

  private get kind(): string {
    return this.t.o.behaviour;
  }

  start(): void {
    if (this.kind === 'spam' && this.t.o.spamPerSec > 0) this.t.io.setTimer(this.nextSpamMs(), TT_SPAM);
  }

  private nextSpamMs(): number {
    return this.t.io.rng.exponential(1000 / this.t.o.spamPerSec);
  }

  /** What this attacker puts on a link instead of `f` (null: nothing). */
  outbound(_peer: number, f: Frame): Frame | null {
    switch (this.kind) {
      case 'drop':
        if ((f.t === F_GOSSIP && (f.g.type === GOSSIP || f.g.type === IHAVE)) || f.t === F_FLOOD || f.t === F_PUSH) {
          this.t.stats.withheld++;
          return null;
        }
        return f;
      case 'corrupt':
        if (f.t === F_GOSSIP && f.g.type === GOSSIP && f.g.payload.length > SEAL_BYTES) {
          this.t.stats.tampered++;
          // the last byte: inside the payload, so the seal no longer matches it
          return { t: F_GOSSIP, g: { ...f.g, payload: flipped(f.g.payload, f.g.payload.length - 1) } };
        }
        if (f.t === F_PUSH) {
          let u = this.altered.get(f.update);
          if (u === undefined) this.altered.set(f.update, (u = alteredUpdate(f.update)));
          if (u === null) return f;
          this.t.stats.tampered++;
          return { ...f, update: u };
        }
        return f;
      default:
        return f;
    }
  }

  proof(have: Uint8Array | null): Uint8Array | null | undefined {
    switch (this.kind) {
      case 'drop':
        return undefined;
      case 'corrupt':
        return have === null ? null : flipped(have, SIG_BYTES - 1);
      default:
        return have;
    }
  }

  /** One junk message to a random neighbour. */
  spam(): void {
    const t = this.t;
    t.io.setTimer(this.nextSpamMs(), TT_SPAM);
    const ns = t.neighbours();
    if (ns.length === 0) return;
    const to = ns[t.io.rng.int(ns.length)]!;
    const rng = t.io.rng;
    const junk = new Uint8Array(JUNK_BYTES);
    const sig = new Uint8Array(SIG_BYTES);
    for (let i = 0; i < JUNK_BYTES; i++) junk[i] = rng.int(256);
    for (let i = 0; i < SIG_BYTES; i++) sig[i] = rng.int(256);
    const id: MsgId = { origin: t.io.self, session: this.junkSession, seq: this.junkSeq++ };
    const payload = seal(t.crypto.publicKey, sig, junk);
    if (t.io.sendRaw(to, { t: F_GOSSIP, g: { type: GOSSIP, id, round: 0, payload, repair: false } })) t.stats.junk++;
  }

  /** An attacker's period: a badmouther's lists; the others say nothing about anyone. */
  period(): void {
    if (this.kind !== 'badmouth') return;
    const t = this.t;
    const cap = t.o.maxReportWeight;
    const known = new Set<number>([...t.neighbours(), ...t.origins.known()]);
    known.delete(t.io.self);
    for (const to of t.neighbours()) {
      const entries: WireOpinion[] = [];
      for (const p of known) {
        if (p === to || entries.length >= t.o.maxOpinions) continue;
        entries.push(this.colluders.has(p) ? { peer: p, good: cap, bad: 0 } : { peer: p, good: 0, bad: cap });
      }
      this.seq = (this.seq + 1) >>> 0;
      t.send(to, { k: T_OPINIONS, seq: this.seq, entries });
    }
  }
}
