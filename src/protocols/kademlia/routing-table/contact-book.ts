/**
 * How a routing table stores a contact: as a small integer (a ref) that a `ContactBook` turns back
 * into the `Contact` (transport address + node id). The table keeps refs in typed arrays; the book
 * keeps the objects.
 *
 * - `LocalBook` (the default): one per table, holding exactly the contacts that table holds, freed as
 *   they leave. What a live peer uses: contacts come from the network.
 * - `PeerDirectory`: one for all the tables of a simulated population, where every peer's contact is
 *   known up front, so the ref of peer p's own contact is p and a table entry costs 4 bytes. A contact
 *   that does not match the directory (another id claimed for an address) gets a ref of its own past
 *   the population, kept for the run: the table stays exact whatever peers claim.
 */
import type { PeerId } from '../../../core/index.js';
import { idEquals, toHex, type NodeId } from '../id.js';

/** A peer as the DHT knows it: its transport address (a dense peer number) and its node id. */
export interface Contact {
  readonly peer: PeerId;
  readonly id: NodeId;
}

export interface ContactBook {
  /** A ref for this contact, to be held by one table entry (release it when the entry goes). */
  ref(c: Contact): number;
  contact(ref: number): Contact;
  id(ref: number): NodeId;
  release(ref: number): void;
}

export class LocalBook implements ContactBook {
  private readonly items: (Contact | undefined)[] = [];
  private readonly free: number[] = [];

  ref(c: Contact): number {
    const r = this.free.pop();
    if (r !== undefined) {
      this.items[r] = c;
      return r;
    }
    this.items.push(c);
    return this.items.length - 1;
  }

  contact(ref: number): Contact {
    return this.items[ref]!;
  }

  id(ref: number): NodeId {
    return this.items[ref]!.id;
  }

  release(ref: number): void {
    this.items[ref] = undefined;
    this.free.push(ref);
  }
}

export class PeerDirectory implements ContactBook {
  private readonly n: number;
  private readonly extra: Contact[] = [];
  private readonly extraRef = new Map<string, number>();

  /** `contacts[p]` is peer p's contact (its own id). */
  constructor(readonly contacts: readonly Contact[]) {
    this.n = contacts.length;
  }

  ref(c: Contact): number {
    const p = c.peer;
    if (p >= 0 && p < this.n) {
      const own = this.contacts[p]!;
      if (own === c || idEquals(own.id, c.id)) return p;
    }
    const key = `${p}:${toHex(c.id)}`;
    let r = this.extraRef.get(key);
    if (r === undefined) {
      r = this.n + this.extra.length;
      this.extra.push(c);
      this.extraRef.set(key, r);
    }
    return r;
  }

  contact(ref: number): Contact {
    return (ref < this.n ? this.contacts[ref] : this.extra[ref - this.n]) as Contact;
  }

  id(ref: number): NodeId {
    return (ref < this.n ? this.contacts[ref]! : this.extra[ref - this.n]!).id;
  }

  release(): void {}

  /** Contacts outside the population's own (peer, id) pairs seen so far. */
  get mismatched(): number {
    return this.extra.length;
  }
}
