/**
 * What the trust layer keeps per link: whether the far end proved its key, the frames waiting for that
 * proof or for a signature check (in arrival order: a data channel is ordered, and so is what we make of
 * it), the evidence counters of the current period, the messages we pushed or announced to it (what a
 * probe may ask for), its round-trip time, and whether it is one of the random links rewiring keeps.
 */
import type { MsgId } from '../../gossip/index.js';
import type { Frame } from '../wire/frames.js';

/** A frame waiting in a link's queue: for the link's key proof, or for its own signature check. */
export interface Waiting {
  f: Frame;
  bytes: number;
  /** 'wait': its check is running; 'ok': hand it on; 'bad': drop it (the evidence was taken). */
  verdict: 'wait' | 'ok' | 'bad';
  /** The bytes it keeps in memory while it waits (bounded per link: maxHeldBytes). */
  size: number;
}

/** Recent pushes and announcements remembered per link (what a probe may ask for). */
export const SENT_RING = 8;

export class TrustLink {
  /** 'pending' until the far end's KEY checks out; 'checking' while it is being checked. */
  auth: 'pending' | 'checking' | 'ok' = 'pending';
  key: Uint8Array | null = null;
  /** Frames in arrival order, waiting for the key proof or a signature check. */
  readonly queue: Waiting[] = [];
  /** Sum of the queued frames' sizes. */
  heldBytes = 0;
  /** When it was authenticated (rewiring and the forwarding share look at a link's age). */
  since = -1;
  /** Round-trip time, moving average; NaN until measured. */
  rtt = NaN;
  /** Valid gossip and announcements from it this window (aged each period): is it forwarding? */
  delivered = 0;
  /** New messages it delivered first (aged each period): the throughput metric. */
  first = 0;
  /** Good evidence given for valid messages this period (capped, see trust.ts). */
  validThisPeriod = 0;
  /** Message ids we pushed or announced to it, and when (a ring). */
  readonly sentIds: (MsgId | null)[] = new Array<MsgId | null>(SENT_RING).fill(null);
  readonly sentAt = new Float64Array(SENT_RING);
  sentNext = 0;
  /** Its opinion entries about peers we know first-hand to be good: saying "bad" (lies), or not (aged). */
  lies = 0;
  truths = 0;
  /**
   * The second-hand evidence its opinion lists added to our table, per peer named ([good, bad], aged like
   * the table): withdrawn if we cut it (a liar's word should not outlive the finding). At most `maxKnown`.
   */
  readonly said = new Map<number, [number, number]>();
  /** The peers its latest opinion list accused (an entry scoring below the lie test's bar). */
  accused = new Set<number>();
  /** Highest opinion sequence number taken from it (a list at or below is a replay). */
  opinionSeq = -1;
  /** One of the random links rewiring never drops (agreed with the far end by KIND). */
  random = true;
  /** A link rewiring opened to measure against the others. */
  trial = false;

  constructor(
    readonly peer: number,
    /** Tells this link apart from an earlier one to the same peer (late callbacks check it). */
    readonly gen: number,
  ) {}

  /** Its list added this evidence about `peer` to our table (the oldest named forgotten past `max`). */
  heard(peer: number, good: number, bad: number, max: number): void {
    const e = this.said.get(peer);
    if (e !== undefined) {
      e[0] += good;
      e[1] += bad;
      return;
    }
    this.said.set(peer, [good, bad]);
    if (this.said.size > max) this.said.delete(this.said.keys().next().value as number);
  }

  /** Once a period, as the table ages: what it said fades alike (and is forgotten once negligible). */
  ageSaid(ageing: number): void {
    for (const [p, e] of this.said) {
      e[0] *= ageing;
      e[1] *= ageing;
      if (e[0] + e[1] < 1e-3) this.said.delete(p);
    }
  }

  remember(id: MsgId, now: number): void {
    this.sentIds[this.sentNext] = id;
    this.sentAt[this.sentNext] = now;
    this.sentNext = (this.sentNext + 1) % SENT_RING;
  }

  /** The newest id we sent it at least `ageMs` ago, or null. */
  probeCandidate(now: number, ageMs: number): MsgId | null {
    let best: MsgId | null = null;
    let bestAt = -Infinity;
    for (let i = 0; i < SENT_RING; i++) {
      const id = this.sentIds[i];
      const at = this.sentAt[i]!;
      if (id && now - at >= ageMs && at > bestAt) {
        best = id;
        bestAt = at;
      }
    }
    return best;
  }
}
