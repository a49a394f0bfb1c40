/**
 * What a simulated sync run measures, whatever the mode:
 *
 * - Convergence of each edit: from the moment it is made until every replica that was online then (and
 *   still is) has integrated it. An insert by client c ending at clock k is at replica p once p's state
 *   vector for c reaches k (updates waiting for a missing predecessor do not count); a delete adds no
 *   clock, so it is at p once the first character it deleted is deleted at p. A replica that leaves
 *   before it got an edit stops counting for it.
 * - Bytes by traffic class (updates, anti-entropy, awareness, DHT, negotiation, control), per peer upload
 *   of document traffic (the busiest peer), and what each late joiner takes in until it has caught up
 *   with the document as it was when it joined.
 * - How far behind each replica is (edits missing), for the series and the colour of each peer.
 */
import * as Y from 'yjs';
import type { PeerId } from '../../../core/index.js';
import type { TrafficClass } from '../wire/frames.js';

export const CLASSES: TrafficClass[] = ['updates', 'antiEntropy', 'awareness', 'dht', 'negotiation', 'control'];

interface Joiner {
  at: number;
  target: Int32Array;
  docBytes: number;
  bytes: number;
  done: boolean;
}

export class Meter {
  readonly bytes: Record<TrafficClass, number> = { updates: 0, antiEntropy: 0, awareness: 0, dht: 0, negotiation: 0, control: 0 };
  /** Document traffic (updates + anti-entropy) each peer sent. */
  readonly upload: Float64Array;
  /** Editors' Yjs client ids, and each client's index. */
  readonly editorClients: number[] = [];
  private readonly editorIndex = new Map<number, number>();
  // edits: parallel arrays
  readonly createdAt: number[] = [];
  private readonly editor: number[] = [];
  private readonly clock: number[] = [];
  private readonly remaining: number[] = [];
  readonly doneAt: number[] = [];
  /** Insert indices per editor, in order (their clocks grow). */
  private readonly byEditor: number[][] = [];
  /** Deletes: edit index, the first character deleted, and per peer whether it has it. */
  private readonly deletes: { x: number; id: Y.ID; at: Uint8Array }[] = [];
  /** Per peer: the first delete it may still lack. */
  private readonly delStart: Int32Array;
  /** Per peer and editor: the clock integrated, and the next edit of that editor not yet integrated. */
  private got: Int32Array = new Int32Array(0);
  private cursor: Int32Array = new Int32Array(0);
  /** When each peer's current session began (-1: none). */
  readonly sessionAt: Float64Array;
  private active = 0;
  private readonly joiners = new Map<PeerId, Joiner>();
  readonly joinRatios: number[] = [];
  /** Docs of the peers (their current replica). */
  readonly docs: (Y.Doc | undefined)[];
  /** Everything ever written, for the document's size and final text. */
  readonly reference = new Y.Doc();

  constructor(
    private readonly n: number,
    private readonly now: () => number,
  ) {
    this.upload = new Float64Array(n);
    this.delStart = new Int32Array(n);
    this.sessionAt = new Float64Array(n).fill(-1);
    this.docs = new Array(n);
  }

  /** The clients that edit (once, before the first edit). */
  setEditors(clients: number[]): void {
    for (const c of clients) {
      this.editorIndex.set(c, this.editorClients.length);
      this.editorClients.push(c);
      this.byEditor.push([]);
    }
    this.got = new Int32Array(this.n * clients.length);
    this.cursor = new Int32Array(this.n * clients.length);
  }

  get editCount(): number {
    return this.createdAt.length;
  }

  // ---- traffic ------------------------------------------------------------------------------------

  sent(peer: PeerId, cls: TrafficClass, bytes: number): void {
    this.bytes[cls] += bytes;
    if (cls === 'updates' || cls === 'antiEntropy') this.upload[peer] = this.upload[peer]! + bytes;
  }

  /** Bytes a peer received; `doc`: document traffic (what a joiner's cost counts). */
  received(peer: PeerId, bytes: number, doc: boolean): void {
    if (!doc) return;
    const j = this.joiners.get(peer);
    if (j && !j.done) j.bytes += bytes;
  }

  linkUp(_a: PeerId, _b: PeerId): void {}
  linkDown(_a: PeerId, _b: PeerId): void {}

  // ---- sessions -----------------------------------------------------------------------------------

  begin(peer: PeerId, doc: Y.Doc, joiner: boolean): void {
    this.docs[peer] = doc;
    this.sessionAt[peer] = this.now();
    this.active++;
    if (joiner) {
      const e = this.editorClients.length;
      const target = new Int32Array(e);
      for (let i = 0; i < e; i++) target[i] = Y.getState(this.reference.store, this.editorClients[i]!);
      this.joiners.set(peer, { at: this.now(), target, docBytes: Y.encodeStateAsUpdate(this.reference).length, bytes: 0, done: false });
    }
    this.changed(peer);
  }

  end(peer: PeerId): void {
    if (this.sessionAt[peer]! < 0) return;
    const since = this.sessionAt[peer]!;
    const e = this.editorClients.length;
    // edits it was counted for but never got: it no longer holds them up
    for (let i = 0; i < e; i++) {
      const list = this.byEditor[i]!;
      for (let j = this.cursor[peer * e + i]!; j < list.length; j++) {
        const x = list[j]!;
        if (this.createdAt[x]! >= since) this.settle(x);
      }
    }
    for (let j = this.delStart[peer]!; j < this.deletes.length; j++) {
      const d = this.deletes[j]!;
      if (d.at[peer] === 0 && this.createdAt[d.x]! >= since) this.settle(d.x);
    }
    this.sessionAt[peer] = -1;
    this.active--;
    const j = this.joiners.get(peer);
    if (j && !j.done) this.joiners.delete(peer);
  }

  // ---- edits --------------------------------------------------------------------------------------

  /**
   * An edit by `peer` (client `client`) whose update is `update`, just applied to its own doc; `deleted`:
   * for a delete, the id of the first character it removed.
   */
  edit(peer: PeerId, client: number, update: Uint8Array, deleted: Y.ID | null): void {
    const i = this.editorIndex.get(client);
    if (i === undefined) throw new RangeError(`client ${client} is not an editor`);
    Y.applyUpdate(this.reference, update);
    const x = this.createdAt.length;
    this.createdAt.push(this.now());
    this.editor.push(i);
    this.clock.push(Y.getState(this.reference.store, client));
    this.remaining.push(this.active);
    this.doneAt.push(NaN);
    if (deleted) this.deletes.push({ x, id: deleted, at: new Uint8Array(this.n) });
    else this.byEditor[i]!.push(x);
    this.changed(peer);
  }

  private settle(x: number): void {
    const left = this.remaining[x]! - 1;
    this.remaining[x] = left;
    if (left === 0) this.doneAt[x] = this.now();
  }

  /** A peer's document changed: which edits reached it. */
  changed(peer: PeerId): void {
    const doc = this.docs[peer];
    if (!doc || this.sessionAt[peer]! < 0) return;
    const since = this.sessionAt[peer]!;
    const e = this.editorClients.length;
    const store = doc.store;
    for (let i = 0; i < e; i++) {
      const k = peer * e + i;
      const state = Y.getState(store, this.editorClients[i]!);
      if (state <= this.got[k]!) continue;
      this.got[k] = state;
      const list = this.byEditor[i]!;
      let c = this.cursor[k]!;
      while (c < list.length && this.clock[list[c]!]! <= state) {
        const x = list[c]!;
        if (this.createdAt[x]! >= since) this.settle(x);
        c++;
      }
      this.cursor[k] = c;
    }
    // deletes: the first deleted character is deleted here
    let start = this.delStart[peer]!;
    for (let q = start; q < this.deletes.length; q++) {
      const d = this.deletes[q]!;
      if (d.at[peer] === 1 || Y.getState(store, d.id.client) <= d.id.clock) continue;
      if (!(Y.getItem(store, d.id) as { deleted: boolean }).deleted) continue;
      d.at[peer] = 1;
      if (this.createdAt[d.x]! >= since) this.settle(d.x);
    }
    while (start < this.deletes.length && this.deletes[start]!.at[peer] === 1) start++;
    this.delStart[peer] = start;
    const j = this.joiners.get(peer);
    if (j && !j.done) {
      let caught = true;
      for (let i = 0; i < e && caught; i++) if (this.got[peer * e + i]! < j.target[i]!) caught = false;
      if (caught) {
        j.done = true;
        if (j.docBytes > 0) this.joinRatios.push(j.bytes / j.docBytes);
      }
    }
  }

  /** Edits a peer still lacks. */
  lag(peer: PeerId): number {
    const e = this.editorClients.length;
    let n = 0;
    for (let i = 0; i < e; i++) n += this.byEditor[i]!.length - this.cursor[peer * e + i]!;
    for (let q = this.delStart[peer]!; q < this.deletes.length; q++) if (this.deletes[q]!.at[peer] === 0) n++;
    return n;
  }

  /** True if every replica online now holds every edit (one that came back from a break has caught up). */
  allCaughtUp(): boolean {
    for (let p = 0; p < this.n; p++) if (this.sessionAt[p]! >= 0 && this.lag(p) > 0) return false;
    return true;
  }

  /** Convergence times of the edits that converged, ms. */
  convergenceTimes(): number[] {
    const out: number[] = [];
    for (let x = 0; x < this.createdAt.length; x++) {
      const d = this.doneAt[x]!;
      if (!Number.isNaN(d)) out.push(d - this.createdAt[x]!);
    }
    return out;
  }

  get unconverged(): number {
    let n = 0;
    for (const d of this.doneAt) if (Number.isNaN(d)) n++;
    return n;
  }

  get joinersPending(): number {
    let n = 0;
    for (const j of this.joiners.values()) if (!j.done) n++;
    return n;
  }
}
