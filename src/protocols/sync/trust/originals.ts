/**
 * Sealed originals: what anti-entropy can prove. With trust, a peer keeps the updates it received or made
 * with a good origin seal (gossiped or pushed), per document, bounded in bytes (oldest forgotten first), and
 * answers a state-vector request with the originals the asker lacks (SYNC_SEALED) before the diff of what
 * is left (SYNC_REPLY). The asker checks every original's seal as if it had been gossiped to it (a bad one is
 * proof against the replier, which should have checked it before keeping it), applies and keeps the good
 * ones, and takes the diff that follows as the replier's own claim: counted, and refused whole if it holds
 * structs of a Yjs client that a checked seal bound to another origin.
 *
 * Client binding: a Yjs client id is a number any peer can use. The first checked seal that carries
 * structs of a client binds that client to its origin here; a sealed update that carries structs of a
 * client bound to another origin is dropped (`foreignClients`): a peer cannot edit as another peer's Yjs
 * client once that client's own sealed edits reached us. Bounded (oldest binding forgotten first).
 */
import * as Y from 'yjs';
import type { MsgId } from '../../gossip/index.js';
import type { SealedOriginal } from '../wire/frames.js';
import { MAX_ORIGINALS } from '../wire/codec.js';
import { msgKey } from './messages.js';

/** Bytes of originals packed into one SYNC_SEALED frame (one bigger original goes alone). */
const FRAME_BYTES = 256 * 1024;
const MAX_BINDINGS = 65_536;

/** The Yjs ranges an update carries structs for: client -> [from, to). */
export type Ranges = Map<number, [number, number]>;

/** The struct ranges of an update, or null if it does not parse. */
export function rangesOf(update: Uint8Array): Ranges | null {
  let meta: { from: Map<number, number>; to: Map<number, number> };
  try {
    meta = Y.parseUpdateMeta(update);
  } catch {
    return null;
  }
  const r: Ranges = new Map();
  for (const [client, to] of meta.to) {
    const from = meta.from.get(client) ?? 0;
    if (to > from) r.set(client, [from, to]);
  }
  return r;
}

interface Kept {
  key: string;
  doc: string;
  original: SealedOriginal;
  ranges: Ranges;
  size: number;
}

export class Originals {
  /** Per document, per client: kept originals carrying its structs. */
  private readonly byClient = new Map<string, Map<number, Kept[]>>();
  /** Every kept original, oldest first (what is forgotten first). */
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;
  private readonly owner = new Map<number, number>();

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.kept.size;
  }

  get keptBytes(): number {
    return this.bytes;
  }

  /** The origin a Yjs client is bound to here, if any. */
  ownerOf(client: number): number | undefined {
    return this.owner.get(client);
  }

  /** Whether `origin` may carry structs of these clients (binding the unbound ones to it). */
  bind(origin: number, ranges: Ranges): boolean {
    for (const c of ranges.keys()) {
      const o = this.owner.get(c);
      if (o !== undefined && o !== origin) return false;
    }
    for (const c of ranges.keys()) {
      if (this.owner.has(c)) continue;
      this.owner.set(c, origin);
      if (this.owner.size > MAX_BINDINGS) this.owner.delete(this.owner.keys().next().value as number);
    }
    return true;
  }

  /** The key an original is kept under (one copy of each). */
  static keyOf(o: SealedOriginal): string {
    if (o.kind === 'gossip') return `g${msgKey(o.id as MsgId)}`;
    let h = '';
    for (let i = 0; i < 8; i++) h += o.seal.sig[i]!.toString(16).padStart(2, '0');
    return `p${o.seal.origin}:${h}`;
  }

  /** Keeps an original that checked out (its update's struct ranges given); oldest forgotten past maxBytes. */
  keep(doc: string, original: SealedOriginal, ranges: Ranges): void {
    if (ranges.size === 0 || this.maxBytes === 0) return;
    const key = Originals.keyOf(original);
    if (this.kept.has(key)) return;
    const size = original.kind === 'gossip' ? original.sealed.length : original.update.length + 100;
    if (size > this.maxBytes) return;
    const k: Kept = { key, doc, original, ranges, size };
    this.kept.set(key, k);
    this.bytes += size;
    let clients = this.byClient.get(doc);
    if (!clients) this.byClient.set(doc, (clients = new Map()));
    for (const c of ranges.keys()) {
      let list = clients.get(c);
      if (!list) clients.set(c, (list = []));
      list.push(k);
    }
    while (this.bytes > this.maxBytes) this.forget(this.kept.values().next().value as Kept);
  }

  private forget(k: Kept): void {
    this.kept.delete(k.key);
    this.bytes -= k.size;
    const clients = this.byClient.get(k.doc);
    if (!clients) return;
    for (const c of k.ranges.keys()) {
      const list = clients.get(c);
      if (!list) continue;
      const i = list.indexOf(k);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) clients.delete(c);
    }
  }

  /**
   * What to send an asker whose state vector is `sv`: the kept originals that extend, without a gap, what
   * it holds of each client (in frames of at most FRAME_BYTES or MAX_ORIGINALS), and its state vector as it
   * will be once it applied them: the diff from that is the part we cannot prove.
   */
  answer(doc: string, sv: Map<number, number>): { frames: SealedOriginal[][]; covered: Map<number, number> } {
    const covered = new Map(sv);
    const chosen = new Set<Kept>();
    const clients = this.byClient.get(doc);
    if (clients)
      for (const [c, list] of clients) {
        let at = sv.get(c) ?? 0;
        // ascending by where each starts: a run of originals that follow on from `at`
        const sorted = [...list].sort((a, b) => a.ranges.get(c)![0] - b.ranges.get(c)![0]);
        for (const k of sorted) {
          const [from, to] = k.ranges.get(c)!;
          if (from > at) break;
          if (to <= at) continue;
          chosen.add(k);
          at = to;
        }
        if (at > (sv.get(c) ?? 0)) covered.set(c, at);
      }
    // an original chosen for one client may carry others' structs too: what it covers of them counts only where it follows on
    const frames: SealedOriginal[][] = [];
    let cur: SealedOriginal[] = [];
    let curBytes = 0;
    for (const k of this.kept.values()) {
      if (!chosen.has(k)) continue;
      if (cur.length > 0 && (curBytes + k.size > FRAME_BYTES || cur.length >= MAX_ORIGINALS)) {
        frames.push(cur);
        cur = [];
        curBytes = 0;
      }
      cur.push(k.original);
      curBytes += k.size;
    }
    if (cur.length > 0) frames.push(cur);
    return { frames, covered };
  }
}
