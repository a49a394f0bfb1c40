/**
 * How to reach a peer we have no link to. A route is a list of waypoints ending at the peer; its first
 * waypoint must be reachable (a neighbour, or itself routed), and each waypoint forwards toward the
 * next by its own table. Routes are learnt two ways:
 * - exactly, from every envelope that reaches us: it lists the peers it went through, so reversed it is
 *   a path of links to each of them (replies go back that way);
 * - loosely, from DHT replies: a contact or member named by a peer R is reached "through R", which
 *   knew how to reach it when it answered.
 * Bounded: at most `maxRoutes` entries (the least recently learnt go first); a route older than `ttlMs`
 * is forgotten when read.
 */

/** A route this recent is trusted over a longer fresh one. */
const RECENT_MS = 10_000;

export interface Route {
  /** Waypoints, the destination last. */
  via: number[];
  learnt: number;
  /** True when every step was a link when learnt (from a reverse path). */
  exact: boolean;
}

export class RouteTable {
  private readonly routes = new Map<number, Route>();

  constructor(
    private readonly maxRoutes = 4096,
    private readonly ttlMs = 120_000,
  ) {}

  get size(): number {
    return this.routes.size;
  }

  get(dst: number, now: number): Route | undefined {
    const r = this.routes.get(dst);
    if (r === undefined) return undefined;
    if (now - r.learnt > this.ttlMs) {
      this.routes.delete(dst);
      return undefined;
    }
    return r;
  }

  private set(dst: number, r: Route): void {
    this.routes.delete(dst);
    this.routes.set(dst, r);
    if (this.routes.size > this.maxRoutes) this.routes.delete(this.routes.keys().next().value as number);
  }

  /**
   * An envelope came along `path` (its source first, the neighbour that handed it to us last): every peer
   * on it is reachable back along the same links. The way back to its source is always taken (it proves
   * that way works now, while an older one may lead to where the source used to be, before it restarted);
   * for the peers in between, a shorter exact route learnt in the last few seconds is kept.
   */
  learnPath(path: readonly number[], self: number, now: number): void {
    for (let i = 0; i < path.length - 1; i++) {
      const dst = path[i]!;
      if (dst === self) continue;
      const via: number[] = [];
      for (let j = path.length - 1; j >= i; j--) via.push(path[j]!);
      const old = this.routes.get(dst);
      if (i > 0 && old && old.exact && old.via.length < via.length && now - old.learnt <= RECENT_MS) continue;
      this.set(dst, { via, learnt: now, exact: true });
    }
  }

  /** Whether `dst` has an exact route learnt within `maxAgeMs` (a way we can vouch for to others). */
  vouch(dst: number, now: number, maxAgeMs = RECENT_MS * 6): boolean {
    const r = this.routes.get(dst);
    return r !== undefined && r.exact && now - r.learnt <= maxAgeMs;
  }

  /** `dst` is reachable through `waypoint` (it named `dst` in a reply). Never replaces a fresh exact route. */
  learnVia(dst: number, waypoint: number, self: number, now: number): void {
    if (dst === self || dst === waypoint) return;
    const old = this.routes.get(dst);
    if (old && (old.exact || old.via.length <= 2) && now - old.learnt <= this.ttlMs / 2) return;
    this.set(dst, { via: [waypoint, dst], learnt: now, exact: false });
  }

  forget(dst: number): void {
    this.routes.delete(dst);
  }

  clear(): void {
    this.routes.clear();
  }
}

/**
 * The waypoints to send to, starting with a neighbour, for reaching `dst`; null if we know no way.
 * A route whose first waypoint is not a neighbour is resolved through that waypoint's own route, at most
 * `depth` levels deep and `maxLen` waypoints long.
 */
export function resolveRoute(
  table: RouteTable,
  dst: number,
  isNeighbour: (p: number) => boolean,
  now: number,
  maxLen: number,
  depth = 3,
): number[] | null {
  if (isNeighbour(dst)) return [dst];
  const r = table.get(dst, now);
  if (r === undefined) return null;
  const first = r.via[0]!;
  if (isNeighbour(first)) return r.via.length <= maxLen ? r.via : null;
  if (depth <= 0 || first === dst) return null;
  const pre = resolveRoute(table, first, isNeighbour, now, maxLen, depth - 1);
  if (pre === null) {
    if (r.exact) table.forget(dst);
    return null;
  }
  const full = pre.concat(r.via.slice(1));
  return full.length <= maxLen ? full : null;
}
