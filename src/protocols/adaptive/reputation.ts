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
  const seen = new Set<number>();
  for (let i = 0; i < x.length; i++) {
    const e = x[i] as unknown;
    if (e === null || typeof e !== 'object') return `opinions[${i}]: expected {peer, good, bad}`;
    const { peer, good, bad } = e as Record<string, unknown>;
    if (typeof peer !== 'number' || !Number.isInteger(peer) || peer < 0 || peer >= cfg.peers)
      return `opinions[${i}].peer: expected a peer id in [0, ${cfg.peers - 1}]`;
    if (typeof good !== 'number' || !(good >= 0) || typeof bad !== 'number' || !(bad >= 0) || !(good + bad <= cfg.maxReportWeight * (1 + 1e-9)))
      return `opinions[${i}]: good and bad must be numbers >= 0 adding up to at most ${cfg.maxReportWeight}`;
    if (seen.has(peer)) return `opinions[${i}].peer: peer ${peer} named twice`;
    seen.add(peer);
  }
  // checked field by field: the list itself is used (no copy: lists arrive every period from every neighbour)
  return x as Opinion[];
}

export class TrustTable {
  readonly reps = new Map<PeerId, Rep>();

  constructor(
    readonly self: PeerId,
    private readonly cfg: TrustConfig,
  ) {}

  get(peer: PeerId): Rep {
    let r = this.reps.get(peer);
    if (!r) {
      r = { rd: 0, sd: 0, ri: 0, si: 0, cg: 0, cb: 0, blacklisted: false };
      this.reps.set(peer, r);
    }
    return r;
  }

  good(peer: PeerId, w = 1): void {
    this.get(peer).rd += w;
  }

  bad(peer: PeerId, w = 1): void {
    this.get(peer).sd += w;
  }

  /** Combined expected trustworthiness in [0, 1]; 0 if blacklisted, 0.5 for a stranger. */
  score(peer: PeerId): number {
    const r = this.reps.get(peer);
    if (!r) return 0.5;
    if (r.blacklisted) return 0;
    const w = this.cfg.indirectWeight;
    const R = r.rd + w * r.ri;
    const S = r.sd + w * r.si;
    return (R + 1) / (R + S + 2);
  }

  /** First-hand score only (0.5 without evidence). */
  directScore(peer: PeerId): number {
    const r = this.reps.get(peer);
    if (!r) return 0.5;
    return (r.rd + 1) / (r.rd + r.sd + 2);
  }

  directEvidence(peer: PeerId): number {
    const r = this.reps.get(peer);
    return r ? r.rd + r.sd : 0;
  }

  credibility(peer: PeerId): number {
    const r = this.reps.get(peer);
    if (!r) return 0.5;
    return (r.cg + 1) / (r.cg + r.cb + 2);
  }

  blacklist(peer: PeerId): void {
    this.get(peer).blacklisted = true;
  }

  isBlacklisted(peer: PeerId): boolean {
    return this.reps.get(peer)?.blacklisted === true;
  }

  /** Once per period: all evidence decays, and the table is trimmed to maxKnown records. */
  age(): void {
    const a = this.cfg.ageing;
    for (const r of this.reps.values()) {
      r.rd *= a;
      r.sd *= a;
      r.ri *= a;
      r.si *= a;
      r.cg *= a;
      r.cb *= a;
    }
    if (this.reps.size > this.cfg.maxKnown) {
      // forget the least-evidenced records (blacklist entries last), down to 90% of the cap so the
      // sort runs once in a while, not every period
      const keep = Math.floor(this.cfg.maxKnown * 0.9);
      const entries = [...this.reps.entries()].sort(
        (x, y) => Number(x[1].blacklisted) - Number(y[1].blacklisted) || weight(x[1]) - weight(y[1]) || x[0] - y[0],
      );
      for (let i = 0; i < entries.length - keep; i++) this.reps.delete((entries[i] as [PeerId, Rep])[0]);
    }
  }

  /**
   * Takes in a reporter's (already validated) opinion list. First the deviation test: entries about
   * peers we have enough first-hand evidence on (and about ourselves, whom we know to be honest)
   * move the reporter's credibility up or down. Then each entry adds second-hand evidence weighted by
   * the reporter's first-hand track record r/(r+s+2) x its credibility; a reporter below
   * MIN_CREDIBILITY is ignored. Returns how
   * many entries were used.
   */
  integrate(reporter: PeerId, ops: Opinion[]): number {
    const rep = this.get(reporter);
    const reps = this.reps;
    const found: (Rep | undefined)[] = new Array<Rep | undefined>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i] as Opinion;
      const total = o.good + o.bad;
      const r = reps.get(o.peer);
      found[i] = r;
      if (total <= 0) continue;
      let mine: number;
      if (o.peer === this.self) mine = 1;
      else if (r === undefined) continue;
      else if (r.blacklisted) mine = 0;
      else if (r.rd + r.sd >= MIN_CHECK_EVIDENCE) mine = (r.rd + 1) / (r.rd + r.sd + 2);
      else continue;
      if (Math.abs(o.good / total - mine) > DEVIATION) rep.cb += 1;
      else rep.cg += 1;
    }
    // a reporter we caught lying is not heard at all (Buchegger & Le Boudec's untrustworthy reporter)
    const cred = this.credibility(reporter);
    if (cred < MIN_CREDIBILITY) return 0;
    // the reporter's first-hand track record without the prior: a reporter we have no good
    // experience with is not heard (EigenTrust's local trust is likewise 0 without positive interactions)
    const tau = (rep.rd / (rep.rd + rep.sd + 2)) * cred;
    let used = 0;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i] as Opinion;
      if (o.peer === this.self || o.peer === reporter) continue;
      let r = found[i];
      if (r === undefined) {
        r = { rd: 0, sd: 0, ri: 0, si: 0, cg: 0, cb: 0, blacklisted: false };
        reps.set(o.peer, r);
      }
      r.ri += tau * o.good;
      r.si += tau * o.bad;
      used++;
    }
    return used;
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
    const named = new Set<PeerId>([this.self]);
    const push = (peer: PeerId, good: number, bad: number): void => {
      const total = good + bad;
      if (total <= 1e-9 || named.has(peer) || out.length >= max) return;
      const k = total > cap ? cap / total : 1;
      out.push({ peer, good: good * k, bad: bad * k });
      named.add(peer);
    };
    for (const n of neighbours) {
      const r = this.reps.get(n);
      if (r && !r.blacklisted) push(n, r.rd, r.sd);
    }
    const size = this.reps.size;
    if (size === 0) return out;
    const w = this.cfg.indirectWeight * HOP_DAMPING;
    // warnings first (blacklisted, then suspects below 0.5), then the rest; each group walked from
    // the cursor (Map order is insertion order: deterministic) so every record is passed on in turn
    const start = cursor % size;
    const black: PeerId[] = [];
    const suspect: PeerId[] = [];
    const rest: PeerId[] = [];
    let i = 0;
    for (const pass of [0, 1])
      for (const [p, r] of this.reps) {
        const at = i++;
        if ((pass === 0 && at < start) || (pass === 1 && at >= size + start)) continue;
        if (named.has(p)) continue;
        if (r.blacklisted) {
          if (black.length < max) black.push(p);
        } else if (r.ri + r.si > 0.05 || r.rd + r.sd > 0.05) {
          const R = r.rd + w * r.ri;
          const S = r.sd + w * r.si;
          if (S > R) {
            if (suspect.length < max) suspect.push(p);
          } else if (rest.length < max) rest.push(p);
        }
      }
    for (const p of black) push(p, 0, cap);
    for (const group of [suspect, rest])
      for (const p of group) {
        const r = this.reps.get(p) as Rep;
        push(p, r.rd + w * r.ri, r.sd + w * r.si);
      }
    return out;
  }
}

/** The list for one recipient: without the entry about itself, at most `max` entries. */
export function opinionsFor(list: Opinion[], to: PeerId, max: number): Opinion[] {
  const out: Opinion[] = [];
  for (const o of list) if (o.peer !== to && out.length < max) out.push(o);
  return out;
}

function weight(r: Rep): number {
  return r.rd + r.sd + r.ri + r.si;
}
