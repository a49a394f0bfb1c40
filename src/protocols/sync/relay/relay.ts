/**
 * Routed envelopes: how DHT traffic and link negotiation reach peers we have no link to. A ROUTE frame
 * names its source and destination, the peers it went through (`path`, each forwarder appends itself),
 * the waypoints still ahead (`via`) and a TTL. Each peer on the way:
 * - checks it is well formed: the path starts at the source and ends at the neighbour that handed it
 *   over (so a forwarder cannot hide itself), does not pass through us already (no loops), has TTL left;
 * - learns the way back to everyone on the path (routes.ts);
 * - delivers it if it is for us, else forwards it toward the next waypoint or the destination: to it if
 *   it is a neighbour, else along its own route. What it cannot route it drops (counted) and tells the
 *   source so (UNREACHABLE, back along the path), so a negotiation through a stale route fails at once
 *   instead of timing out. It never acts on an envelope addressed to someone else.
 * The source is claimed, not proven (issue-free until envelopes are signed): a relay can drop or forge
 * what it carries, which is why DHT replies are checked against pending requests and peer ids.
 */
import { B_UNREACHABLE, F_ROUTE, type RouteBody, type RouteFrame } from '../wire/frames.js';
import { RouteTable } from './routes.js';

export interface RelayStats {
  /** Envelopes we originated, forwarded, delivered to us, could not route, and refused as malformed. */
  sent: number;
  forwarded: number;
  delivered: number;
  unroutable: number;
  malformed: number;
}

export function newRelayStats(): RelayStats {
  return { sent: 0, forwarded: 0, delivered: 0, unroutable: 0, malformed: 0 };
}

export interface RelayIO {
  readonly self: number;
  now(): number;
  isNeighbour(peer: number): boolean;
  /** Puts a frame on the open link to a neighbour. */
  sendFrame(to: number, f: RouteFrame): void;
  /** An envelope for us: its (claimed) source, body, and the path it came along. */
  deliver(src: number, body: RouteBody, path: readonly number[]): void;
}

export class Relay {
  readonly routes: RouteTable;
  private readonly isNeighbour: (p: number) => boolean;

  constructor(
    private readonly io: RelayIO,
    readonly stats: RelayStats,
    /** Links an envelope may cross (and the most peers its path lists). */
    readonly maxHops = 16,
    /** Most waypoints an envelope carries. */
    readonly maxVia = 8,
    maxRoutes = 4096,
  ) {
    this.routes = new RouteTable(maxRoutes, undefined, maxVia + 1);
    this.isNeighbour = (p) => io.isNeighbour(p);
  }

  /** Whether `dst` is a neighbour, or has a recent exact route that still starts at a neighbour (a way that worked lately). */
  fresh(dst: number): boolean {
    const io = this.io;
    if (io.isNeighbour(dst)) return true;
    const now = io.now();
    return this.routes.vouch(dst, now) && io.isNeighbour(this.routes.firstHop(dst));
  }

  /** Whether we know a way to `dst` now (a neighbour, or a resolvable route). */
  reachable(dst: number): boolean {
    return this.routes.resolve(dst, this.isNeighbour, this.io.now(), this.maxVia + 1) !== null;
  }

  /** Sends `body` to `dst` (a neighbour directly, anyone else along a route); false if there is none. */
  send(dst: number, body: RouteBody): boolean {
    const io = this.io;
    const hops = this.routes.resolve(dst, this.isNeighbour, io.now(), this.maxVia + 1);
    if (hops === null) {
      this.stats.unroutable++;
      return false;
    }
    this.stats.sent++;
    io.sendFrame(hops[0]!, { t: F_ROUTE, src: io.self, dst, ttl: this.maxHops - 1, path: [io.self], via: hops.slice(1, -1), body });
    return true;
  }

  /** Sends `body` back along a path an envelope came by (reversed), e.g. the answer to a relayed offer. */
  sendBack(path: readonly number[], body: RouteBody): boolean {
    const io = this.io;
    const dst = path[0]!;
    const back = path.slice(1).reverse();
    const first = back.length > 0 ? back[0]! : dst;
    if (!io.isNeighbour(first) || back.length > this.maxVia + 1) return this.send(dst, body);
    this.stats.sent++;
    io.sendFrame(first, { t: F_ROUTE, src: io.self, dst, ttl: this.maxHops - 1, path: [io.self], via: back.slice(1), body });
    return true;
  }

  /**
   * An envelope from neighbour `from`. Returns a reason if it is malformed (the caller closes that link as
   * a violation), else null (delivered, forwarded or dropped as unroutable).
   */
  onFrame(from: number, f: RouteFrame): string | null {
    const io = this.io;
    const path = f.path;
    if (path.length === 0 || path[0] !== f.src) return this.malformed('path does not start at the source');
    if (path[path.length - 1] !== from) return this.malformed('path does not end at the neighbour that sent it');
    if (path.length > this.maxHops || f.via.length > this.maxVia) return this.malformed('path or waypoints too long');
    for (const p of path) if (p === io.self) return this.malformed('loop: the path passes through us');
    const now = io.now();
    this.routes.learnPath(path, io.self, now);
    if (f.dst === io.self) {
      this.stats.delivered++;
      io.deliver(f.src, f.body, path);
      return null;
    }
    if (f.ttl <= 0) return this.unroutable(f);
    const via = f.via;
    let i = 0;
    while (i < via.length && via[i] === io.self) i++;
    let target = i < via.length ? via[i]! : f.dst;
    let full = this.routes.resolve(target, this.isNeighbour, now, this.maxVia + 1);
    if (full !== null && i < via.length) {
      // on to the waypoint, then along the rest of the waypoints to the destination
      for (let j = i + 1; j < via.length; j++) full.push(via[j]!);
      full.push(f.dst);
    }
    if (!this.usable(full, path) && target !== f.dst) {
      // the waypoint is out of reach from here (or back through where the envelope came), but maybe the
      // destination is not
      this.routes.forget(target);
      target = f.dst;
      full = this.routes.resolve(target, this.isNeighbour, now, this.maxVia + 1);
    }
    if (!this.usable(full, path)) return this.unroutable(f, target);
    const next = full[0]!;
    this.stats.forwarded++;
    io.sendFrame(next, { t: F_ROUTE, src: f.src, dst: f.dst, ttl: f.ttl - 1, path: path.concat(io.self), via: full.slice(1, -1), body: f.body });
    return null;
  }

  /** A way on that is short enough and does not lead back through a peer the envelope already crossed. */
  private usable(full: number[] | null, path: readonly number[]): full is number[] {
    if (full === null || full.length - 1 > this.maxVia) return false;
    for (const p of full) if (path.includes(p)) return false;
    return true;
  }

  /** Drops an envelope we cannot forward (and forgets our own route that led nowhere), telling its source. */
  private unroutable(f: RouteFrame, target?: number): null {
    this.stats.unroutable++;
    if (target !== undefined && !this.io.isNeighbour(target)) this.routes.forget(target);
    if (f.body.b !== B_UNREACHABLE) this.sendBack(f.path, { b: B_UNREACHABLE, dst: f.dst });
    return null;
  }

  private malformed(why: string): string {
    this.stats.malformed++;
    return `route: ${why}`;
  }
}
