/**
 * One peer's reputation table: beta reputation with ageing (Josang & Ismail, "The Beta Reputation
 * System", 2002) for first-hand evidence, second-hand evidence discounted by the trust and the
 * credibility of whoever reported it, and a deviation test on reporters (Buchegger & Le Boudec, "A
 * Robust Reputation System for P2P and Mobile Ad-hoc Networks", 2004): a reporter whose opinions
 * contradict what we saw ourselves loses credibility, so colluders that badmouth honest peers or
 * praise each other are heard less and less.
 *
 * Per known peer: good/bad first-hand counts (rd, sd), second-hand counts (ri, si), and the
 * credibility of that peer as a reporter (cg, cb). All age by the same factor once per period.
 * Score = E[Beta(r+1, s+1)] = (r + 1) / (r + s + 2) with r = rd + w*ri, s = sd + w*si.
 *
 * Opinion lists come from untrusted peers: `validateOpinions` bounds and checks them before use.
 */
import type { PeerId } from '../../core/index.js';

export interface Rep {
  rd: number;
  sd: number;
  ri: number;
  si: number;
  /** Credibility of this peer as a reporter: agreements / disagreements with our own evidence. */
  cg: number;
  cb: number;
  blacklisted: boolean;
}

/** One entry of an opinion list: evidence about `peer` (good + bad <= maxReportWeight). */
export interface Opinion {
  peer: PeerId;
  good: number;
  bad: number;
}

export interface TrustConfig {
  ageing: number;
  indirectWeight: number;
  maxOpinions: number;
  maxReportWeight: number;
  maxKnown: number;
  /** Opinion entries must name a peer id below this. */
  peers: number;
}

/** Evidence below this (first-hand) is too little to check a reporter against. */
const MIN_CHECK_EVIDENCE = 3;
/** A report disagrees with us when the scores differ by more than this. */
const DEVIATION = 0.4;
/** Reporters less credible than this are ignored. */
const MIN_CREDIBILITY = 0.3;
/** Second-hand knowledge is passed on damped by this (so rumours of rumours fade with distance). */
const HOP_DAMPING = 1;

/**
 * Checks an opinion list from a peer: an array of at most `maxOpinions` entries `{peer, good, bad}`
 * with an integer peer id in [0, peers) and finite non-negative counts adding up to at most
 * `maxReportWeight`, no peer twice. Returns the entries, or a string saying what is wrong.
 */
export function validateOpinions(x: unknown, cfg: Pick<TrustConfig, 'maxOpinions' | 'maxReportWeight' | 'peers'>): Opinion[] | string {
  if (!Array.isArray(x)) return 'opinions: expected a list';
  if (x.length > cfg.maxOpinions) return `opinions: ${x.length} entries, more than the ${cfg.maxOpinions} allowed`;
  const seen = named.reset(x.length);
  for (let i = 0; i < x.length; i++) {
    const e = x[i] as unknown;
    if (e === null || typeof e !== 'object') return `opinions[${i}]: expected {peer, good, bad}`;
    const { peer, good, bad } = e as Record<string, unknown>;
    if (typeof peer !== 'number' || !Number.isInteger(peer) || peer < 0 || peer >= cfg.peers)
      return `opinions[${i}].peer: expected a peer id in [0, ${cfg.peers - 1}]`;
    if (typeof good !== 'number' || !(good >= 0) || typeof bad !== 'number' || !(bad >= 0) || !(good + bad <= cfg.maxReportWeight * (1 + 1e-9)))
      return `opinions[${i}]: good and bad must be numbers >= 0 adding up to at most ${cfg.maxReportWeight}`;
    if (!seen.add(peer)) return `opinions[${i}].peer: peer ${peer} named twice`;
  }
  // checked field by field: the list itself is used (no copy: lists arrive every period from every neighbour)
  return x as Opinion[];
}

/**
 * The peers named in the list being checked: one reused open-addressing table (a fresh Set per list
 * cost more than the rest of the check), at most half full. Keys are the checked integer ids.
 */
class NamedOnce {
  private keys = new Float64Array(64);
  private stamps = new Uint32Array(64);
  private stamp = 0;
  private mask = 63;

  reset(entries: number): this {
    if (entries * 2 > this.keys.length) {
      const size = 2 ** Math.ceil(Math.log2(entries * 2));
      this.keys = new Float64Array(size);
      this.stamps = new Uint32Array(size);
      this.mask = size - 1;
      this.stamp = 0;
    }
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    return this;
  }

  /** False if `peer` was added since the last reset. */
  add(peer: number): boolean {
    const { keys, stamps, stamp, mask } = this;
    for (let h = (Math.imul(peer | 0, 0x9e3779b1) ^ ((peer / 0x100000000) | 0)) & mask; ; h = (h + 1) & mask) {
      if (stamps[h] !== stamp) {
        stamps[h] = stamp;
        keys[h] = peer;
        return true;
      }
      if (keys[h] === peer) return false;
    }
  }
}

const named = new NamedOnce();

/** Fields of a record in `TrustTable.vals`: first-hand good/bad, second-hand good/bad, credibility. */
const RD = 0, SD = 1, RI = 2, SI = 3, CG = 4, CB = 5, FIELDS = 6;

/**
 * One peer's reputation records, in typed arrays: a record is a peer id, six evidence counts and a
 * blacklist flag, kept in the order peers became known (the order opinion lists walk); an
 * open-addressing index finds a peer's record. ~60 bytes a record where a Map entry with an object
 * cost ~150, and ageing walks contiguous memory.
 */
export class TrustTable {
  /** Peer ids are any u32 (the sync peer's are key hashes), so the index maps them to records. */
  private keys: Uint32Array;
  private vals: Float64Array;
  private black: Uint8Array;
  /** Scratch flags per record (all 0 between calls): records already in the opinion list being built. */
  private marks: Uint8Array;
  private n = 0;
  /** Open addressing over peer ids: record index + 1, 0 empty; twice the records' capacity. */
  private index: Int32Array;
  private mask: number;

  constructor(
    readonly self: PeerId,
    private readonly cfg: TrustConfig,
  ) {
    const cap = 16;
    this.keys = new Uint32Array(cap);
    this.vals = new Float64Array(cap * FIELDS);
    this.black = new Uint8Array(cap);
    this.marks = new Uint8Array(cap);
    this.index = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }

  private slot(peer: PeerId): number {
    return Math.imul(peer, 0x9e3779b1) & this.mask;
  }

  /** The record index of `peer`, or -1. */
  private find(peer: PeerId): number {
    const idx = this.index, keys = this.keys, mask = this.mask;
    for (let h = this.slot(peer); ; h = (h + 1) & mask) {
      const v = idx[h]!;
      if (v === 0) return -1;
      if (keys[v - 1] === peer) return v - 1;
    }
  }

  /** The record index of `peer`, made (with no evidence) if there is none. */
  private ensure(peer: PeerId): number {
    const i = this.find(peer);
    if (i >= 0) return i;
    if (this.n === this.keys.length) this.grow();
    const r = this.n++;
    this.keys[r] = peer;
    this.vals.fill(0, r * FIELDS, r * FIELDS + FIELDS);
    this.black[r] = 0;
    this.insert(peer, r);
    return r;
  }

  private insert(peer: PeerId, r: number): void {
    const idx = this.index, mask = this.mask;
    let h = this.slot(peer);
    while (idx[h] !== 0) h = (h + 1) & mask;
    idx[h] = r + 1;
  }

  /** Doubles the capacity up to maxKnown, then grows by a quarter of maxKnown at a time: between two
   * trims (once a period) a table overshoots maxKnown only by what that period's lists brought in, and
   * at 10^4 peers a doubled 2,048-record table was ~3 GB of mostly empty capacity. */
  private grow(): void {
    const old = this.keys.length, max = this.cfg.maxKnown;
    const cap = old * 2 <= max ? old * 2 : Math.max(old + 16, old < max ? max : old + (max >> 2));
    const keys = new Uint32Array(cap), vals = new Float64Array(cap * FIELDS), black = new Uint8Array(cap);
    keys.set(this.keys);
    vals.set(this.vals);
    black.set(this.black);
    this.keys = keys;
    this.vals = vals;
    this.black = black;
    this.marks = new Uint8Array(cap);
    // a power of two at least 4/3 of the capacity: the index stays at most 3/4 full (linear probing
    // is still short there, and at 10^4 peers the index was a fifth of the tables' memory)
    this.reindex(2 ** Math.ceil(Math.log2((cap * 4) / 3)));
  }

  private reindex(slots: number): void {
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
    for (let r = 0; r < this.n; r++) this.insert(this.keys[r]!, r);
  }

  /** Records held. */
  get size(): number {
    return this.n;
  }

  has(peer: PeerId): boolean {
    return this.find(peer) >= 0;
  }

  /** A copy of `peer`'s record, or undefined. */
  record(peer: PeerId): Rep | undefined {
    const r = this.find(peer);
    return r < 0 ? undefined : this.recordAt(r);
  }

  private recordAt(r: number): Rep {
    const v = this.vals, b = r * FIELDS;
    return {
      rd: v[b + RD]!, sd: v[b + SD]!, ri: v[b + RI]!, si: v[b + SI]!,
      cg: v[b + CG]!, cb: v[b + CB]!, blacklisted: this.black[r] === 1,
    };
  }

  /** Every record (copies), in the order the peers became known. */
  *entries(): IterableIterator<[PeerId, Rep]> {
    for (let r = 0; r < this.n; r++) yield [this.keys[r]!, this.recordAt(r)];
  }

  /** The records as a read-only map (each `get` is a copy: write through good/bad/blacklist). */
  get reps(): ReadonlyMap<PeerId, Rep> {
    return new RepsView(this);
  }

  good(peer: PeerId, w = 1): void {
    // the record first: making it may grow (replace) `vals`, which `this.vals[ensure()]` would read before
    const r = this.ensure(peer);
    this.vals[r * FIELDS + RD]! += w;
  }

  bad(peer: PeerId, w = 1): void {
    const r = this.ensure(peer);
    this.vals[r * FIELDS + SD]! += w;
  }

  /** Combined expected trustworthiness in [0, 1]; 0 if blacklisted, 0.5 for a stranger. */
  score(peer: PeerId): number {
    const r = this.find(peer);
    if (r < 0) return 0.5;
    if (this.black[r] === 1) return 0;
    const v = this.vals, b = r * FIELDS;
    const w = this.cfg.indirectWeight;
    const R = v[b + RD]! + w * v[b + RI]!;
    const S = v[b + SD]! + w * v[b + SI]!;
    return (R + 1) / (R + S + 2);
  }

  /** First-hand score only (0.5 without evidence). */
  directScore(peer: PeerId): number {
    const r = this.find(peer);
    if (r < 0) return 0.5;
    const v = this.vals, b = r * FIELDS;
    return (v[b + RD]! + 1) / (v[b + RD]! + v[b + SD]! + 2);
  }

  directEvidence(peer: PeerId): number {
    const r = this.find(peer);
    return r < 0 ? 0 : this.vals[r * FIELDS + RD]! + this.vals[r * FIELDS + SD]!;
  }

  credibility(peer: PeerId): number {
    const r = this.find(peer);
    return r < 0 ? 0.5 : this.credibilityAt(r);
  }

  private credibilityAt(r: number): number {
    const cg = this.vals[r * FIELDS + CG]!, cb = this.vals[r * FIELDS + CB]!;
    return (cg + 1) / (cg + cb + 2);
  }

  blacklist(peer: PeerId): void {
    const r = this.ensure(peer);
    this.black[r] = 1;
  }

  isBlacklisted(peer: PeerId): boolean {
    const r = this.find(peer);
    return r >= 0 && this.black[r] === 1;
  }

  /** Once per period: all evidence decays, and the table is trimmed to maxKnown records. */
  age(): void {
    const a = this.cfg.ageing, v = this.vals;
    for (let i = 0, n = this.n * FIELDS; i < n; i++) v[i]! *= a;
    if (this.n > this.cfg.maxKnown) this.trim(Math.floor(this.cfg.maxKnown * 0.9));
  }

  /**
   * Forgets records down to `keep`, so the sort runs once in a while, not every period; the rest keep
   * their order. Hearsay that decides nothing goes first: a record with no first-hand evidence, no
   * credibility and a score of at least 0.5 admits the peer just as a stranger's 0.5 does. Then the
   * least-evidenced of the rest, blacklist entries last. A suspect (more bad than good evidence) is
   * what keeps a known-bad peer from being admitted again: forgotten, it is a stranger at 0.5.
   */
  private trim(keep: number): void {
    const n = this.n, v = this.vals, black = this.black, keys = this.keys;
    const iw = this.cfg.indirectWeight;
    const weight = (r: number): number => {
      const b = r * FIELDS;
      return v[b + RD]! + v[b + SD]! + v[b + RI]! + v[b + SI]!;
    };
    // 0: hearsay that decides nothing; 1: first-hand, credibility or a suspect; 2: blacklisted
    const rank = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const b = r * FIELDS;
      if (black[r] === 1) rank[r] = 2;
      else if (v[b + RD]! + v[b + SD]! > 0.05 || v[b + CG]! + v[b + CB]! > 0.05 || v[b + SD]! + iw * v[b + SI]! > v[b + RD]! + iw * v[b + RI]!) rank[r] = 1;
    }
    const order = Array.from({ length: n }, (_, r) => r);
    order.sort((x, y) => rank[x]! - rank[y]! || weight(x) - weight(y) || keys[x]! - keys[y]!);
    const drop = new Uint8Array(n);
    for (let i = 0; i < n - keep; i++) drop[order[i]!] = 1;
    let w = 0;
    for (let r = 0; r < n; r++) {
      if (drop[r] === 1) continue;
      if (w !== r) {
        keys[w] = keys[r]!;
        v.copyWithin(w * FIELDS, r * FIELDS, r * FIELDS + FIELDS);
        black[w] = black[r]!;
      }
      w++;
    }
    this.n = w;
    this.reindex(this.index.length);
  }

  /**
   * Takes in a reporter's (already validated) opinion list. First the deviation test: entries about
   * peers we have enough first-hand evidence on (and about ourselves, whom we know to be honest)
   * move the reporter's credibility up or down. Then each entry adds second-hand evidence weighted by
   * the reporter's first-hand track record r/(r+s+2) x its credibility; a reporter below
   * MIN_CREDIBILITY is ignored. Returns how many entries were used; `added` hears the second-hand
   * evidence each one added (a caller that may withdraw a reporter's word later keeps it: `retract`);
   * entries `unchecked` names are left out of the deviation test (still integrated).
   */
  integrate(reporter: PeerId, ops: Opinion[], added?: (peer: PeerId, good: number, bad: number) => void, unchecked?: (o: Opinion) => boolean): number {
    const rep = this.ensure(reporter);
    const found = new Int32Array(ops.length);
    const v = this.vals;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      const total = o.good + o.bad;
      const r = this.find(o.peer);
      found[i] = r;
      if (total <= 0 || unchecked?.(o) === true) continue;
      let mine: number;
      if (o.peer === this.self) mine = 1;
      else if (r < 0) continue;
      else if (this.black[r] === 1) mine = 0;
      else {
        const rd = v[r * FIELDS + RD]!, sd = v[r * FIELDS + SD]!;
        if (rd + sd >= MIN_CHECK_EVIDENCE) mine = (rd + 1) / (rd + sd + 2);
        else continue;
      }
      if (Math.abs(o.good / total - mine) > DEVIATION) v[rep * FIELDS + CB]! += 1;
      else v[rep * FIELDS + CG]! += 1;
    }
    // a reporter we caught lying is not heard at all (Buchegger & Le Boudec's untrustworthy reporter)
    const cred = this.credibilityAt(rep);
    if (cred < MIN_CREDIBILITY) return 0;
    // the reporter's first-hand track record without the prior: a reporter we have no good
    // experience with is not heard (EigenTrust's local trust is likewise 0 without positive interactions)
    const rrd = v[rep * FIELDS + RD]!, rsd = v[rep * FIELDS + SD]!;
    const tau = (rrd / (rrd + rsd + 2)) * cred;
    let used = 0;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      if (o.peer === this.self || o.peer === reporter) continue;
      let r = found[i]!;
      if (r < 0) r = this.ensure(o.peer);
      const b = r * FIELDS;
      this.vals[b + RI]! += tau * o.good;
      this.vals[b + SI]! += tau * o.bad;
      added?.(o.peer, tau * o.good, tau * o.bad);
      used++;
    }
    return used;
  }

  /** What we tell a neighbour that asks about `peer` (vetting.ts): a blacklisted peer at full weight
   * against it, else first-hand plus damped second-hand evidence, scaled to the weight cap as in an
   * opinion list; nothing (0, 0) about a peer we hold no record of. */
  opinionOf(peer: PeerId): Opinion {
    const r = this.find(peer);
    if (r < 0) return { peer, good: 0, bad: 0 };
    const cap = this.cfg.maxReportWeight * (1 - 1e-12);
    if (this.black[r] === 1) return { peer, good: 0, bad: cap };
    const v = this.vals, b = r * FIELDS, w = this.cfg.indirectWeight * HOP_DAMPING;
    const good = v[b + RD]! + w * v[b + RI]!, bad = v[b + SD]! + w * v[b + SI]!;
    const total = good + bad;
    const k = total > cap ? cap / total : 1;
    return { peer, good: good * k, bad: bad * k };
  }

  /** Withdraws second-hand evidence about `peer` (what `integrate` added for a reporter found out since). */
  retract(peer: PeerId, good: number, bad: number): void {
    const r = this.find(peer);
    if (r < 0) return;
    const b = r * FIELDS, v = this.vals;
    v[b + RI] = Math.max(0, v[b + RI]! - good);
    v[b + SI] = Math.max(0, v[b + SI]! - bad);
  }

  /**
   * Our opinion list for this period: first-hand views of our neighbours, then the rest of the table
   * (blacklist entries at full weight, other records with second-hand evidence damped) starting at
   * `cursor`, so every record gets passed on in turn. One entry more than maxOpinions, so that
   * `opinionsFor` can leave out the recipient; each entry is scaled down to the weight cap.
   */
  opinions(neighbours: Iterable<PeerId>, cursor: number): Opinion[] {
    const cap = this.cfg.maxReportWeight * (1 - 1e-12);
    const max = this.cfg.maxOpinions + 1;
    const out: Opinion[] = [];
    const v = this.vals, isBlack = this.black, self = this.self;
    const push = (peer: PeerId, good: number, bad: number): boolean => {
      const total = good + bad;
      if (total <= 1e-9 || out.length >= max) return false;
      const k = total > cap ? cap / total : 1;
      out.push({ peer, good: good * k, bad: bad * k });
      return true;
    };
    // the neighbours' records named first are marked, so the walk below skips them (a Set of the
    // named peers cost a lookup per record per period: the hot path with large tables)
    const marked: number[] = [];
    for (const n of neighbours) {
      if (n === self) continue;
      const r = this.find(n);
      if (r >= 0 && isBlack[r] !== 1 && this.marks[r] !== 1 && push(n, v[r * FIELDS + RD]!, v[r * FIELDS + SD]!)) {
        this.marks[r] = 1;
        marked.push(r);
      }
    }
    const size = this.n;
    if (size > 0) this.walk(out, cursor % size, max, cap);
    for (const r of marked) this.marks[r] = 0;
    return out;
  }

  /** Adds the warnings (blacklisted, then suspects below 0.5), then the rest, to `out`; each group
   * walked from `start` (records are in the order peers became known: deterministic) so every record
   * is passed on in turn. */
  private walk(out: Opinion[], start: number, max: number, cap: number): void {
    const v = this.vals, keys = this.keys, isBlack = this.black, marks = this.marks, self = this.self;
    const size = this.n;
    const w = this.cfg.indirectWeight * HOP_DAMPING;
    const black: number[] = [];
    const suspect: number[] = [];
    const rest: number[] = [];
    for (let j = 0; j < size; j++) {
      const r = start + j < size ? start + j : start + j - size;
      if (marks[r] === 1 || keys[r] === self) continue;
      const b = r * FIELDS;
      const rd = v[b + RD]!, sd = v[b + SD]!, ri = v[b + RI]!, si = v[b + SI]!;
      if (isBlack[r] === 1) {
        if (black.length < max) black.push(r);
      } else if (ri + si > 0.05 || rd + sd > 0.05) {
        const R = rd + w * ri;
        const S = sd + w * si;
        if (S > R) {
          if (suspect.length < max) suspect.push(r);
        } else if (rest.length < max) rest.push(r);
      }
    }
    const add = (peer: PeerId, good: number, bad: number): void => {
      const total = good + bad;
      if (total <= 1e-9 || out.length >= max) return;
      const k = total > cap ? cap / total : 1;
      out.push({ peer, good: good * k, bad: bad * k });
    };
    for (const r of black) add(keys[r]!, 0, cap);
    for (const group of [suspect, rest])
      for (const r of group) {
        const b = r * FIELDS;
        add(keys[r]!, v[b + RD]! + w * v[b + RI]!, v[b + SD]! + w * v[b + SI]!);
      }
  }
}

/** The list for one recipient: without the entry about itself, at most `max` entries. */
export function opinionsFor(list: Opinion[], to: PeerId, max: number): Opinion[] {
  const out: Opinion[] = [];
  for (const o of list) if (o.peer !== to && out.length < max) out.push(o);
  return out;
}


/** A read-only Map view of a TrustTable's records, for readers that want the Map interface. */
class RepsView implements ReadonlyMap<PeerId, Rep> {
  constructor(private readonly t: TrustTable) {}
  get size(): number {
    return this.t.size;
  }
  get(peer: PeerId): Rep | undefined {
    return this.t.record(peer);
  }
  has(peer: PeerId): boolean {
    return this.t.has(peer);
  }
  entries(): MapIterator<[PeerId, Rep]> {
    return this.t.entries() as MapIterator<[PeerId, Rep]>;
  }
  *keys(): MapIterator<PeerId> {
    for (const [p] of this.t.entries()) yield p;
  }
  *values(): MapIterator<Rep> {
    for (const [, r] of this.t.entries()) yield r;
  }
  forEach(fn: (value: Rep, key: PeerId, map: ReadonlyMap<PeerId, Rep>) => void): void {
    for (const [p, r] of this.t.entries()) fn(r, p, this);
  }
  [Symbol.iterator](): MapIterator<[PeerId, Rep]> {
    return this.entries();
  }
}
