/**
 * The optimistic unchoke: a random interested peer outside the regular slots, where connections made
 * within the last rotation period count three times (mainline: "new connections are three times as
 * likely to start as the current optimistic unchoke"), so a newcomer that has nothing to trade yet is
 * not left waiting a whole rotation or more among peers that already trade with each other.
 */
import type { Conn } from '../connections/conn.js';
import type { SwarmContext } from '../context.js';

/** Weight of a connection made within the last rotation period, against 1 for an older one. */
const NEW_WEIGHT = 3;

export function pickOptimistic(sw: SwarmContext, pool: Conn[]): Conn | null {
  if (pool.length === 0) return null;
  const recent = sw.port.now() - sw.cfg.optimisticMs;
  let total = 0;
  for (const c of pool) total += c.since > recent ? NEW_WEIGHT : 1;
  let r = sw.rng.int(total);
  for (const c of pool) {
    r -= c.since > recent ? NEW_WEIGHT : 1;
    if (r < 0) return c;
  }
  return pool[pool.length - 1]!;
}
