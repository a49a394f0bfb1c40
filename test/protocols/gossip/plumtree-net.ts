/**
 * An in-memory network of Plumtree cores for the tests: messages go through the real codec (bytes) and
 * are delivered in a seeded random order; links can be cut; timers fire in order of due time.
 */
import { createCodec, type PlumtreeMsg } from '../../../src/protocols/gossip/codec.js';
import { Plumtree, type PlumtreeOptions } from '../../../src/protocols/gossip/plumtree.js';
import { Rng, type PeerContext } from '../../../src/core/index.js';

/** An in-memory network of cores: messages go through the real codec (bytes), delivered in random order. */
export class TestNet {
  now = 0;
  readonly cores: Plumtree[] = [];
  readonly got: Uint8Array[][] = [];
  /** Who delivered each payload (the tree parent). */
  readonly from: number[][] = [];
  pending: { from: number; to: number; bytes: Uint8Array }[] = [];
  timers: { at: number; peer: number; tag: number; data: unknown; id: number; live: boolean }[] = [];
  readonly cut = new Set<string>();
  readonly codec = createCodec();
  private nextTimer = 1;
  readonly rng: Rng;

  constructor(
    n: number,
    seed: number,
    opts: (i: number) => PlumtreeOptions = () => ({}),
  ) {
    this.rng = new Rng(seed);
    for (let i = 0; i < n; i++) {
      const me = i;
      const ctx: PeerContext<PlumtreeMsg> = {
        id: me,
        rng: this.rng.fork(`peer${i}`),
        now: () => this.now,
        send: (to, msg) => {
          if (!this.cut.has(`${me}-${to}`)) this.pending.push({ from: me, to, bytes: this.codec.encode(msg) });
        },
        setTimer: (delay, tag, data) => {
          const t = { at: this.now + delay, peer: me, tag, data, id: this.nextTimer++, live: true };
          this.timers.push(t);
          return t.id;
        },
        cancelTimer: (id) => {
          const t = this.timers.find((x) => x.id === id && x.live);
          if (t) t.live = false;
          return t !== undefined;
        },
        emit: () => {},
      };
      this.got.push([]);
      this.from.push([]);
      const onDeliver = (p: Uint8Array, info: { from: number }): void => {
        this.got[me]!.push(p);
        this.from[me]!.push(info.from);
      };
      this.cores.push(new Plumtree(ctx, onDeliver, opts(i)));
    }
  }

  link(a: number, b: number): void {
    this.cores[a]!.neighborUp(b);
    this.cores[b]!.neighborUp(a);
  }

  /** Closes the link a-b: both ends are told, and what is in flight on it is lost. */
  unlink(a: number, b: number): void {
    this.cut.add(`${a}-${b}`);
    this.cut.add(`${b}-${a}`);
    this.pending = this.pending.filter((m) => !((m.from === a && m.to === b) || (m.from === b && m.to === a)));
    this.cores[a]!.neighborDown(b);
    this.cores[b]!.neighborDown(a);
  }

  /** What `peer` has sent that is still in flight, decoded. */
  sentBy(peer: number): { to: number; msg: PlumtreeMsg }[] {
    return this.pending.filter((m) => m.from === peer).map((m) => ({ to: m.to, msg: this.codec.decode(m.bytes) }));
  }

  /** Delivers pending messages in random order; when none is left fires the next timer. */
  run(maxSteps = 100_000): void {
    for (let s = 0; s < maxSteps; s++) {
      if (this.pending.length > 0) {
        const i = this.rng.int(this.pending.length);
        const m = this.pending[i]!;
        this.pending[i] = this.pending[this.pending.length - 1]!;
        this.pending.pop();
        this.cores[m.to]!.onMessage(m.from, this.codec.decode(m.bytes));
        continue;
      }
      const live = this.timers.filter((t) => t.live);
      if (live.length === 0) return;
      live.sort((a, b) => a.at - b.at || a.id - b.id);
      const t = live[0]!;
      t.live = false;
      this.now = Math.max(this.now, t.at);
      this.cores[t.peer]!.onTimer(t.tag, t.data);
      if (this.timers.length > 1000) this.timers = this.timers.filter((x) => x.live);
    }
  }
}

