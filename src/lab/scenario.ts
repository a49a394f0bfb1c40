/**
 * Scenario files: the declarative experiment (YAML or JSON). One file fixes the seed, the peers, the
 * network, churn and partitions, the protocol with its parameters, the workload, when to stop and what
 * to record. `parseScenario` validates it all and throws a `ScenarioError` whose message names the
 * path of every bad key (`protocol.fanout: expected a number >= 1`, `line 3, column 7: ...` for YAML
 * syntax). The protocol's keys and the workload are checked by that protocol's driver schemas.
 *
 * The format is documented key by key in docs/lab.md.
 */
import { z } from 'zod';
import type { ProtocolDriver } from '../protocols/driver.js';
import { ConfigError, markChecked, show, type Checked } from '../core/index.js';
import { zodIssues } from '../core/schema.js';
import { validateNetworkConfig, type BandwidthClass, type LatencyConfig, type NetworkConfig } from '../sim/index.js';
import { validatePartitions, type PartitionEvent } from '../sim/partitions.js';
import { scenarioBaseDir, validateChurn, type ChurnConfig } from './scenario-churn.js';
import { drivers as registryDrivers } from './registry.js';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { convertUnits, parseDuration, parseRate } from './units.js';
import { readYaml } from './yaml-text.js';

export { ScenarioError, type ScenarioIssue } from './errors.js';

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  peers: number;
  /** What the engine's Network takes, checked by the engine's validator. */
  network: Checked<NetworkConfig>;
  /** The engine's partition schedule (src/sim/partitions.ts), checked for `peers`. */
  partitions: Checked<PartitionEvent[]>;
  /** The engine's churn configuration, checked, or null for a static population. */
  churn: Checked<ChurnConfig> | null;
  /** `type` picks the driver; `params` passed its schema (defaults filled in) and, with the workload, its `check`. */
  protocol: { type: string; params: unknown };
  /** Passed the driver's workload schema. */
  workload: unknown;
  /** Stop at `ms` of virtual time, or earlier once the workload completes if `complete`. */
  until: { complete: boolean; ms: number };
  observe: {
    /** Virtual time between samples of the run's time series. */
    sampleMs: number;
    /** Virtual times of connectivity-map snapshots; `null` stands for the end of the run. */
    snapshots: (number | null)[];
    /** Peers drawn in a snapshot at most (the first by id). */
    snapshotPeers: number;
  };
  /** The document as the author wrote it (plain data), for `--set`, sweeps and re-validation. */
  raw: Record<string, unknown>;
  /** The text it came from (YAML or JSON), shown in reports; JSON of `raw` if given an object. */
  text: string;
  /** Where it came from (a file path, or `<inline>`). */
  source: string;
}

/** Default virtual-time cap for `until: complete`. */
export const DEFAULT_COMPLETE_CAP_MS = 3_600_000;
/** Latest virtual time a run may be asked to reach (about 31 years): beyond, time arithmetic loses whole milliseconds. */
export const MAX_UNTIL_MS = 1e12;
/**
 * Most samples of each series a run may take (`until` / `observe.sampleEvery`): each costs 16 bytes per
 * series, so a million keeps a run's series within tens of MB (a 20-peer run of `until: 1e308` sampled
 * every 100 ms grew to 4.8 GB and crashed).
 */
export const MAX_SAMPLES = 1_000_000;
const MAX_PEERS = 2 ** 24 - 1;

// ---- schema pieces -------------------------------------------------------------------------------

const DURATION_HINT = 'expected a duration such as 250ms, 60s, 10m, 1.5h or a number of milliseconds';

const duration = z.unknown().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `${DURATION_HINT}, got ${show(v)}` });
    return z.NEVER;
  }
  return ms;
});

const rate = z.unknown().transform((v, ctx) => {
  const bps = parseRate(v);
  if (bps === null) {
    ctx.addIssue({ code: 'custom', message: `expected a rate such as 10Mbit/s, 1.5MB/s, unlimited or a number of bytes per second, got ${show(v)}` });
    return z.NEVER;
  }
  return bps;
});

const latency = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('constant'), ms: z.number().min(0) }),
  z.strictObject({ model: z.literal('uniform'), minMs: z.number().min(0), maxMs: z.number().min(0) }),
  z.strictObject({
    model: z.literal('geo'),
    baseMs: z.number().min(0).optional(),
    msPerUnit: z.number().min(0).optional(),
    jitter: z.number().min(0).max(10).optional(),
  }),
]);

const bandwidthClass = z.strictObject({
  fraction: z.number().min(0).default(1),
  up: rate,
  down: rate,
});

const partition = z
  .strictObject({
    at: duration,
    heal: duration.optional(),
    groups: z.union([z.number().int().min(2).max(1000), z.array(z.array(z.number().int().min(0)))]).optional(),
    fractions: z.array(z.number().positive()).min(2).max(1000).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.groups !== undefined && p.fractions !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give either groups or fractions, not both' });
    if (p.heal !== undefined && p.heal <= p.at)
      ctx.addIssue({ code: 'custom', path: ['heal'], message: `expected a time after at (${p.at} ms), got ${p.heal} ms` });
  });

const network = z.strictObject({
  latency: latency.optional(),
  bandwidth: z.array(bandwidthClass).min(1).optional(),
  loss: z.number().min(0).max(1).optional(),
  partitions: z.array(partition).default([]),
});

const until = z.unknown().transform((v, ctx) => {
  if (v === 'complete') return { complete: true, ms: DEFAULT_COMPLETE_CAP_MS };
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (k !== 'complete' && k !== 'max') ctx.addIssue({ code: 'custom', path: [k], message: 'unknown key (until takes complete and max)' });
    if (o.complete !== undefined && typeof o.complete !== 'boolean')
      ctx.addIssue({ code: 'custom', path: ['complete'], message: `expected true or false, got ${show(o.complete)}` });
    const max = o.max === undefined ? DEFAULT_COMPLETE_CAP_MS : parseDuration(o.max);
    if (max === null) ctx.addIssue({ code: 'custom', path: ['max'], message: `${DURATION_HINT}, got ${show(o.max)}` });
    else if (max <= 0) ctx.addIssue({ code: 'custom', path: ['max'], message: 'expected a duration > 0' });
    else if (max > MAX_UNTIL_MS) ctx.addIssue({ code: 'custom', path: ['max'], message: `${max} ms is beyond the longest run the lab simulates (${MAX_UNTIL_MS} ms, about 31 years)` });
    return { complete: o.complete !== false, ms: max ?? 0 };
  }
  const ms = parseDuration(v);
  if (ms === null || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected 'complete', { complete: true, max: <duration> } or a virtual time such as 60s or 10m, got ${show(v)}`,
    });
    return z.NEVER;
  }
  if (ms > MAX_UNTIL_MS) {
    ctx.addIssue({ code: 'custom', message: `${ms} ms is beyond the longest run the lab simulates (${MAX_UNTIL_MS} ms, about 31 years)` });
    return z.NEVER;
  }
  return { complete: false, ms };
});

const snapshotTime = z.unknown().transform((v, ctx) => {
  if (v === 'end') return null;
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected 'end' or ${DURATION_HINT.replace('expected ', '')}, got ${show(v)}` });
    return z.NEVER;
  }
  return ms;
});

const observe = z.strictObject({
  sampleEvery: duration.refine((ms) => ms >= 1, 'expected at least 1ms').default(100),
  snapshots: z.array(snapshotTime).max(64).default([null]),
  snapshotPeers: z.number().int().min(1).max(5000).default(300),
});

const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).default(''),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
  peers: z.number().int().min(1).max(MAX_PEERS),
  network: network.default({ partitions: [] }),
  churn: z.unknown().optional(),
  protocol: z.looseObject({ type: z.string() }),
  workload: z.record(z.string(), z.unknown()).default({}),
  until: until,
  observe: observe.default({ sampleEvery: 100, snapshots: [null], snapshotPeers: 300 }),
});

// ---- parsing -------------------------------------------------------------------------------------

export interface ParseOptions {
  /**
   * Folder that relative paths in the scenario (`churn.traceFile`) are resolved against. Default: the
   * folder of `source` when it names a file; otherwise only absolute paths are accepted.
   */
  baseDir?: string | null;
}

/**
 * Parses and validates a scenario. `input` is YAML or JSON text, or an already parsed object.
 * `source` names it in messages (a file path). Throws ScenarioError naming every bad key.
 */
export function parseScenario(
  input: string | object,
  source = '<inline>',
  drivers: Record<string, ProtocolDriver> = registryDrivers,
  opts: ParseOptions = {},
): Scenario {
  const text = typeof input === 'string' ? input : JSON.stringify(input, null, 2);
  const raw = typeof input === 'string' ? parseText(input, source) : input;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ScenarioError([{ path: '', problem: `expected a mapping of keys (name, peers, protocol, ...), got ${show(raw)}` }], source);
  return validateScenario(raw as Record<string, unknown>, text, source, drivers, opts);
}

/** YAML (JSON is YAML) text to plain data at a bounded cost; errors name the key path or line and column. */
export function parseText(text: string, source = '<inline>'): unknown {
  return readYaml(text, source);
}

function validateScenario(
  raw: Record<string, unknown>,
  text: string,
  source: string,
  drivers: Record<string, ProtocolDriver>,
  opts: ParseOptions,
): Scenario {
  const issues: ScenarioIssue[] = [];
  const top = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!top.success) issues.push(...zodIssues(top.error.issues, []));

  // The protocol's own keys and the workload, by the driver's schemas.
  let protocol: Scenario['protocol'] | null = null;
  let workload: unknown = null;
  const proto = raw.protocol;
  if (proto !== null && typeof proto === 'object' && !Array.isArray(proto)) {
    const { type, ...given } = proto as Record<string, unknown>;
    const params = convertUnits(given, 'protocol', issues) as Record<string, unknown>;
    if (typeof type === 'string') {
      // own keys only: `constructor`, `__proto__` and `toString` are not protocols
      const driver = Object.hasOwn(drivers, type) ? drivers[type] : undefined;
      if (!driver) {
        const known = Object.keys(drivers).sort();
        issues.push({
          path: 'protocol.type',
          problem: `unknown protocol ${show(type)} (expected one of ${known.length ? known.join(', ') : '(no protocols registered)'})`,
        });
      } else {
        issues.push(...unknownKeys(driver.params, params, ['protocol'], `${type} takes`));
        const p = driver.params.safeParse(params, { reportInput: true });
        if (p.success) protocol = { type, params: p.data };
        else issues.push(...zodIssues(p.error.issues, ['protocol']));
        const wl = convertUnits(raw.workload ?? {}, 'workload', issues);
        if (wl !== null && typeof wl === 'object' && !Array.isArray(wl)) {
          issues.push(...unknownKeys(driver.workload, wl as Record<string, unknown>, ['workload'], `a ${type} workload takes`));
          const w = driver.workload.safeParse(wl, { reportInput: true });
          if (w.success) workload = w.data;
          else issues.push(...zodIssues(w.error.issues, ['workload']));
        }
        // the keys together and with the scenario's size: the driver's own cross-checks
        if (driver.check && p.success && workload !== null && top.success) issues.push(...driver.check(p.data, workload, top.data.peers));
      }
    }
  }

  // Cross-checks the engine owns (network bounds) and churn, by the engine's validators.
  let churn: Checked<ChurnConfig> | null = null;
  if (raw.churn !== undefined && raw.churn !== null) {
    try {
      const peers = top.success ? top.data.peers : undefined;
      churn = validateChurn(raw.churn, 'churn', { baseDir: opts.baseDir !== undefined ? opts.baseDir : scenarioBaseDir(source), ...(peers !== undefined ? { peers } : {}) });
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues);
      else throw e;
    }
  }
  // the engine's sections, by the engine's validators, once: the session installs them as they are
  let network: Checked<NetworkConfig> | null = null;
  let partitions: Checked<PartitionEvent[]> | null = null;
  if (top.success) {
    const net = top.data.network;
    try {
      network = validateNetworkConfig(toNetworkConfig(net), 'network');
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues.map((i) => ({ ...i, path: i.path.replace('.upBps', '.up').replace('.downBps', '.down') })));
      else throw e;
    }
    try {
      partitions = validatePartitions(toPartitions(net.partitions), 'network.partitions', top.data.peers);
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues.map((i) => ({ ...i, path: i.path.replace(/\.atMs$/, '.at').replace(/\.healMs$/, '.heal') })));
      else throw e;
    }
    const samples = top.data.until.ms / top.data.observe.sampleEvery;
    if (samples > MAX_SAMPLES)
      issues.push({
        path: 'observe.sampleEvery',
        problem: `sampling every ${top.data.observe.sampleEvery} ms until ${top.data.until.ms} ms takes ${Math.ceil(samples)} samples; at most ${MAX_SAMPLES} (sample less often or end earlier)`,
      });
    top.data.observe.snapshots.forEach((t, i) => {
      if (t !== null && t > top.data.until.ms)
        issues.push({ path: `observe.snapshots[${i}]`, problem: `at ${t} ms, after the run ends (${top.data.until.ms} ms)` });
    });
  }

  if (issues.length > 0 || !top.success || protocol === null || network === null || partitions === null) {
    if (issues.length === 0) issues.push({ path: 'protocol', problem: 'invalid' });
    throw new ScenarioError(dedupe(issues), source);
  }
  const d = top.data;
  return markChecked({
    name: d.name,
    description: d.description,
    seed: d.seed,
    peers: d.peers,
    network,
    partitions,
    churn,
    protocol,
    workload,
    until: d.until,
    observe: { sampleMs: d.observe.sampleEvery, snapshots: d.observe.snapshots, snapshotPeers: d.observe.snapshotPeers },
    raw,
    text,
    source,
  });
}

type NetworkInput = z.output<typeof network>;

function toPartitions(ps: NetworkInput['partitions']): PartitionEvent[] {
  return ps.map((p) => {
    const ev: PartitionEvent = { atMs: p.at, healMs: p.heal ?? null };
    if (p.fractions !== undefined) ev.fractions = p.fractions;
    else ev.groups = p.groups ?? 2;
    return ev;
  });
}

function toNetworkConfig(n: NetworkInput): NetworkConfig {
  const cfg: NetworkConfig = {};
  if (n.latency) cfg.latency = n.latency as LatencyConfig;
  if (n.bandwidth) cfg.bandwidth = n.bandwidth.map((c): BandwidthClass => ({ fraction: c.fraction, upBps: c.up, downBps: c.down }));
  if (n.loss !== undefined) cfg.loss = n.loss;
  return cfg;
}

// ---- overrides (--set, sweeps) -------------------------------------------------------------------

/** Keys that name an object's machinery, not a scenario key: setting one would reach Object.prototype. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Sets `path` (dotted, with `[i]` or `.i` for list items) in a deep copy of `raw`. `value` is given as
 * text and read as YAML, so `3`, `true`, `10m`, `[1, 2]` and `{ model: constant, ms: 20 }` all work.
 * Only the document's own keys are followed, a list index may be at most the list's length (one past
 * its end appends), and `__proto__`, `constructor` and `prototype` are refused.
 */
export function withOverride(raw: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = splitPath(path);
  if (keys.length === 0) throw new ScenarioError([{ path: '', problem: `--set: empty key path in ${show(path)}` }]);
  const copy = structuredClone(raw);
  let node: Record<string, unknown> | unknown[] = copy;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const here = keys.slice(0, i + 1).join('.');
    if (typeof k === 'number') {
      if (!Array.isArray(node))
        throw new ScenarioError([{ path: keys.slice(0, i).join('.'), problem: `cannot set ${path}: this key holds a mapping, not a list` }]);
      if (k > node.length) throw new ScenarioError([{ path: here, problem: `cannot set ${path}: index ${k} is past the end of the list (${node.length} items)` }]);
    } else if (Array.isArray(node)) {
      throw new ScenarioError([{ path: keys.slice(0, i).join('.'), problem: `cannot set ${path}: this key holds a list; give an index such as [0]` }]);
    }
    const rec = node as Record<string | number, unknown>;
    if (i === keys.length - 1) {
      rec[k] = value;
      break;
    }
    const next = Object.hasOwn(rec, k) ? rec[k] : undefined;
    if (next === undefined || next === null) {
      const created: Record<string, unknown> | unknown[] = typeof keys[i + 1] === 'number' ? [] : {};
      rec[k] = created;
      node = created;
    } else if (typeof next === 'object') {
      node = next as Record<string, unknown>;
    } else {
      throw new ScenarioError([{ path: here, problem: `cannot set ${path}: this key holds ${show(next)}, not a mapping` }]);
    }
  }
  return copy;
}

/** `key.path=value` as given on the command line: the value is read as YAML. */
export function parseAssignment(text: string): { path: string; value: unknown } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ScenarioError([{ path: '', problem: `expected key.path=value, got ${show(text)}` }]);
  const path = text.slice(0, eq).trim();
  return { path, value: parseValue(text.slice(eq + 1)) };
}

/** A command-line value read as YAML (`3` is a number, `abc` a string, `[1,2]` a list); text that is not
 * valid YAML (or nests too deep, or holds aliases) is taken as the string it is. */
export function parseValue(text: string): unknown {
  try {
    return readYaml(text);
  } catch (e) {
    if (e instanceof ScenarioError) return text;
    throw e;
  }
}

function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new ScenarioError([{ path: '', problem: `bad key path ${show(path)}` }]);
    if (m[1]) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  for (const k of out)
    if (typeof k === 'string' && FORBIDDEN_KEYS.has(k)) throw new ScenarioError([{ path: '', problem: `bad key path ${show(path)}: '${k}' is not a scenario key` }]);
  return out;
}

/** Keys the driver's object schema does not know (zod's default would drop them silently). */
function unknownKeys(schema: z.ZodType, input: Record<string, unknown>, prefix: string[], takes: string): ScenarioIssue[] {
  const def = (schema as unknown as { _zod?: { def?: { type?: string; shape?: Record<string, unknown>; catchall?: unknown } } })._zod?.def;
  if (!def || def.type !== 'object' || !def.shape || def.catchall !== undefined) return [];
  const known = Object.keys(def.shape);
  return Object.keys(input)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: [...prefix, k].join('.'), problem: `unknown key (${takes} ${known.join(', ') || 'no keys'})` }));
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.problem}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
