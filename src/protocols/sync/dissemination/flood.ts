/**
 * Flooding with duplicate suppression: every new payload goes to every neighbour but the one it came
 * from. The baseline the Plumtree tree is measured against (`dissemination: flood`): each link carries
 * each message about once per direction. Message ids are (origin, seq), seq starting at a random point
 * per instance so a restarted peer does not reuse ids; the seen-set is bounded (oldest forgotten first).
 */
import type { PeerContext, PeerId } from '../../../core/index.js';
import { F_FLOOD, type Frame } from '../wire/frames.js';

export type FloodFrame = Extract<Frame, { t: typeof F_FLOOD }>;

export class Flood {
  private readonly neighbours = new Set<PeerId>();
  private readonly seen = new Set<string>();
  private seq: number;
  delivered = 0;
  duplicates = 0;

  constructor(
    private readonly ctx: PeerContext<FloodFrame>,
    private readonly onDeliver: (payload: Uint8Array, origin: PeerId) => void,
    private readonly seenCapacity = 20_000,
  ) {
    this.seq = ctx.rng.nextU32() * 1024;
  }

  neighborUp(peer: PeerId): void {
    this.neighbours.add(peer);
  }

  neighborDown(peer: PeerId): void {
    this.neighbours.delete(peer);
  }

  private remember(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.seenCapacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }

  /** The origin and sequence number the next `broadcast` will use. */
  nextId(): { origin: number; session: number; seq: number } {
    return { origin: this.ctx.id, session: 0, seq: this.seq };
  }

  broadcast(payload: Uint8Array): void {
    const f: FloodFrame = { t: F_FLOOD, origin: this.ctx.id, seq: this.seq++, payload };
    this.remember(`${f.origin}:${f.seq}`);
    for (const n of this.neighbours) this.ctx.send(n, f, 0);
  }

  onFrame(from: PeerId, f: FloodFrame): void {
    if (!this.remember(`${f.origin}:${f.seq}`)) {
      this.duplicates++;
      return;
    }
    this.delivered++;
    this.onDeliver(f.payload, f.origin);
    for (const n of this.neighbours) if (n !== from) this.ctx.send(n, f, 0);
  }
}
