/**
 * A schedule of network partitions: at `atMs` the peers are cut into groups that cannot reach each
 * other; at `healAtMs` (if given) the network heals. A message is dropped (reason 'partition') if a
 * partition separates its ends when it is sent or when it would arrive, so messages already in flight
 * when the cut happens are lost too.
 *
 * Groups are given one of three ways:
 * - `fractions: [0.5, 0.3, 0.2]`: shares of the peers (normalised), assigned by a seeded shuffle;
 * - `groups: 3`: that many equal shares, shuffled the same way;
 * - `groups: [[0, 1, 2], [3, 4]]`: explicit peer ids; peers not listed form one more group together.
 *
 * A later partition replaces an earlier one; a heal only undoes the partition it belongs to, so
 * overlapping schedules behave as written.
 */
import type { World } from './world.js';
import { ConfigError, isChecked, isNumber as isNum, markChecked, show, type Checked } from '../core/check.js';
import type { PeerId } from '../core/ids.js';

export interface PartitionEvent {
  atMs: number;
  /** When this partition heals; omitted or null = it lasts until replaced or the end of the run. */
  healAtMs?: number | null;
  /** Same as healAtMs (the lab's scenario spelling). */
  healMs?: number | null;
  /** A number of equal random groups (>= 2), or explicit lists of peer ids. */
  groups?: number | PeerId[][];
  /** Shares of the peers per group (>= 2 entries, positive, normalised). */
  fractions?: number[];
}

const KEYS = new Set(['atMs', 'healAtMs', 'healMs', 'groups', 'fractions']);
const MAX_GROUPS = 65535;

function bad(key: string, problem: string): never {
  throw new ConfigError(key, problem);
}

/**
 * Validates a partition schedule; throws ConfigError naming the key. `peers` bounds explicit ids (a
 * schedule checked without a bound is checked again where it is installed).
 */
export function validatePartitions(events: unknown, prefix = 'partitions', peers = Infinity): Checked<PartitionEvent[]> {
  if (!Array.isArray(events)) bad(prefix, `expected a list, got ${show(events)}`);
  events.forEach((e: unknown, i) => {
    const k = `${prefix}[${i}]`;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) bad(k, `expected a mapping, got ${show(e)}`);
    const ev = e as Record<string, unknown>;
    for (const key of Object.keys(ev)) if (!KEYS.has(key)) bad(`${k}.${key}`, `unknown key (expected one of ${[...KEYS].join(', ')})`);
    if (!isNum(ev.atMs) || ev.atMs < 0) bad(`${k}.atMs`, `expected a number >= 0, got ${show(ev.atMs)}`);
    for (const hk of ['healAtMs', 'healMs'] as const) {
      const h = ev[hk];
      if (h === undefined || h === null) continue;
      if (!isNum(h) || h <= ev.atMs) bad(`${k}.${hk}`, `expected a time after atMs (${ev.atMs}), got ${show(h)}`);
    }
    const g = ev.groups, f = ev.fractions;
    if ((g === undefined) === (f === undefined)) bad(`${k}.groups`, 'give either groups or fractions');
    if (f !== undefined) {
      if (!Array.isArray(f) || f.length < 2 || f.length > MAX_GROUPS) bad(`${k}.fractions`, `expected a list of 2..${MAX_GROUPS} shares`);
      f.forEach((x: unknown, j) => {
        if (!isNum(x) || !(x > 0) || x === Infinity) bad(`${k}.fractions[${j}]`, `expected a number > 0, got ${show(x)}`);
      });
    } else if (typeof g === 'number') {
      if (!Number.isInteger(g) || g < 2 || g > MAX_GROUPS) bad(`${k}.groups`, `expected an integer in [2, ${MAX_GROUPS}], got ${g}`);
    } else if (Array.isArray(g)) {
      if (g.length < 1 || g.length >= MAX_GROUPS) bad(`${k}.groups`, `expected 1..${MAX_GROUPS - 1} lists of peer ids`);
      const seen = new Set<number>();
      g.forEach((list: unknown, j) => {
        if (!Array.isArray(list)) bad(`${k}.groups[${j}]`, `expected a list of peer ids, got ${show(list)}`);
        list.forEach((p: unknown, m) => {
          if (!isNum(p) || !Number.isInteger(p) || p < 0 || p >= peers)
            bad(`${k}.groups[${j}][${m}]`, `expected a peer id in [0, ${peers - 1}], got ${show(p)}`);
          if (seen.has(p)) bad(`${k}.groups[${j}][${m}]`, `peer ${p} is in two groups`);
          seen.add(p);
        });
      });
    } else bad(`${k}.groups`, `expected a number of groups or lists of peer ids, got ${show(g)}`);
  });
  return markChecked(events as PartitionEvent[], peers);
}

/** Schedules the partitions and heals on the world's simulator. Validates first, unless `events` come checked. */
export function installPartitions(world: World, events: readonly PartitionEvent[], prefix = 'partitions'): void {
  if (!isChecked(events, world.size)) validatePartitions(events, prefix, world.size);
  if (events.length === 0) return;
  const sim = world.sim;
  const net = world.net;
  const n = world.size;
  const rng = sim.rng.fork('partitions');
  const st = sim.keep({ current: -1 }); // index of the partition in force, -1 = none (kept: keyframes reach it)

  const split = sim.register((_t, index, obj) => {
    const ev = obj as PartitionEvent;
    const groupOf = new Uint16Array(n);
    let groups: number;
    if (Array.isArray(ev.groups)) {
      groups = ev.groups.length + 1;
      groupOf.fill(ev.groups.length); // the unlisted peers
      ev.groups.forEach((list, g) => {
        for (const p of list) groupOf[p] = g;
      });
    } else {
      const shares = ev.fractions ?? new Array<number>(ev.groups as number).fill(1);
      groups = shares.length;
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      const total = shares.reduce((a, b) => a + b, 0);
      let start = 0, acc = 0;
      for (let g = 0; g < shares.length; g++) {
        acc += shares[g]!;
        const end = g === shares.length - 1 ? n : Math.round((acc / total) * n);
        for (let i = start; i < end; i++) groupOf[order[i]!] = g;
        start = end;
      }
    }
    net.setGroups(groupOf);
    st.current = index;
    if (sim.feed.active) sim.feed.emit({ type: 'partition', t: sim.now, groups });
  });
  const heal = sim.register((_t, index) => {
    if (st.current !== index) return; // replaced by a later partition, which heals on its own schedule
    net.heal();
    st.current = -1;
    if (sim.feed.active) sim.feed.emit({ type: 'healed', t: sim.now });
  });
  events.forEach((ev, i) => {
    sim.at(Math.max(ev.atMs, sim.now), split, 0, i, ev);
    const h = ev.healAtMs ?? ev.healMs;
    if (h !== undefined && h !== null) sim.at(Math.max(h, sim.now), heal, 0, i);
  });
}
