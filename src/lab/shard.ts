/**
 * Sharded sweeps: a sweep's runs (grid points × seeds, in `sweepJobs` order) cut into N deterministic
 * slices, so a cluster's batch engine (a Kubernetes Indexed Job, a Slurm job array) runs one slice per
 * task, each into its own folder, and `peerlab sweep merge` puts the slices back together into exactly
 * what one unsharded run writes (the same runs in the same order, so the same means and intervals).
 *
 * Slice I of N holds the jobs j with j mod N = I: round robin, so the expensive corner of a grid (the
 * largest size, with every seed of it) spreads over all shards instead of landing on the last one.
 *
 * A shard folder holds one file, shard.json: the sweep's identity (a hash of everything that decides
 * its results: scenario text and path, grid, seeds, overrides, and the peerlab sources that ran it),
 * which slice it is, and the summary of each of its runs, sealed by a SHA-256 of the rest. A merge
 * refuses shards of different sweeps or code, overlapping or missing slices, and any file that does
 * not check out, each with a message naming the file.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SummaryValue } from '../protocols/driver.js';
import { runJobs } from './pool.js';
import { parseValue } from './scenario.js';
import { grid, sweepJobs, type SweepPlan, type SweepResult, aggregateSweep } from './sweep.js';

export const SHARD_FILE = 'shard.json';
const FORMAT = 'peerlab-sweep-shard';
const VERSION = 1;
/** A shard file larger than this is refused before it is read (a gossip run's summary takes ~550 bytes in it). */
export const MAX_SHARD_FILE_BYTES = 256 * 1024 * 1024;

/** A bad `--shard`, a missing index, or shards that cannot be merged: the message says which and where. */
export class ShardError extends Error {
  override name = 'ShardError';
}

export interface ShardSpec {
  index: number;
  count: number;
}

/** The most shards a sweep can be cut into (an index is an integer; more shards than runs only leaves some empty). */
export const MAX_SHARDS = 1_000_000;

function count(text: string, what: string): number {
  if (!/^\d{1,7}$/.test(text)) throw new ShardError(`${what}: expected an integer in [1, ${MAX_SHARDS}], got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < 1 || n > MAX_SHARDS) throw new ShardError(`${what}: expected an integer in [1, ${MAX_SHARDS}], got ${JSON.stringify(text)}`);
  return n;
}

/** `--shard I/N`: the I-th (from 0) of N slices. */
export function parseShardSpec(text: string): ShardSpec {
  const m = /^\s*(\d{1,7})\s*\/\s*(\d{1,7})\s*$/.exec(text);
  if (!m) throw new ShardError(`--shard: expected I/N (the I-th of N shards, counted from 0), got ${JSON.stringify(text)}`);
  const n = count(m[2]!, '--shard: N');
  const index = Number(m[1]);
  if (index >= n) throw new ShardError(`--shard: index ${index} is not below the shard count ${n} (shards are numbered 0..${n - 1})`);
  return { index, count: n };
}

/** `--shards N` read as a number (what `--emit` and env-indexed runs take). */
export function parseShardCount(text: string): number {
  return count(text.trim(), '--shards');
}

/**
 * The shard index a batch engine gives its task: `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job) or
 * `SLURM_ARRAY_TASK_ID` (a Slurm job array, which must be numbered 0..N-1). Both set must agree; a Slurm
 * array of another size or base is refused, since its tasks would miss or repeat slices.
 */
export function shardFromEnv(n: number, env: Record<string, string | undefined> = process.env): ShardSpec & { from: string } {
  const sources = (['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const).filter((k) => env[k] !== undefined && env[k] !== '');
  if (sources.length === 0)
    throw new ShardError(
      `--shards ${n}: no shard index: give --shard I/${n}, or run as a task of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID)`,
    );
  const read = (k: string): number => {
    const v = env[k]!.trim();
    if (!/^\d{1,7}$/.test(v)) throw new ShardError(`${k}=${JSON.stringify(env[k])}: expected a shard index, an integer in [0, ${n - 1}]`);
    const i = Number(v);
    if (i >= n) throw new ShardError(`${k}=${i} is not below --shards ${n} (shards are numbered 0..${n - 1})`);
    return i;
  };
  const values = sources.map(read);
  if (values.length === 2 && values[0] !== values[1])
    throw new ShardError(`JOB_COMPLETION_INDEX=${values[0]} and SLURM_ARRAY_TASK_ID=${values[1]} disagree: unset one`);
  if (sources.includes('SLURM_ARRAY_TASK_ID')) {
    const min = env.SLURM_ARRAY_TASK_MIN;
    const total = env.SLURM_ARRAY_TASK_COUNT;
    if (min !== undefined && min !== '' && min.trim() !== '0')
      throw new ShardError(`SLURM_ARRAY_TASK_MIN=${min}: peerlab shards are numbered from 0; submit the array as --array=0-${n - 1}`);
    if (total !== undefined && total !== '' && total.trim() !== String(n))
      throw new ShardError(`SLURM_ARRAY_TASK_COUNT=${total} but --shards ${n}: submit the array as --array=0-${n - 1}`);
  }
  return { index: values[0]!, count: n, from: sources[0]! };
}

/** The jobs of slice `index` of `n`, of a sweep of `total` jobs, in order. */
export function shardJobs(total: number, index: number, n: number): number[] {
  const out: number[] = [];
  for (let j = index; j < total; j += n) out.push(j);
  return out;
}

/** The folder of one shard under `--out`: `shard-I-of-N`, I zero-padded so the folders sort in order. */
export function shardFolder(s: ShardSpec): string {
  return `shard-${String(s.index).padStart(String(s.count - 1).length, '0')}-of-${s.count}`;
}

/** What a shard file records of its sweep: everything a merge needs to rebuild the outputs, and nothing that varies by shard. */
export interface ShardPlan {
  scenario: string;
  protocol: string;
  source: string;
  text: string;
  vary: { key: string; texts: string[] }[];
  seeds: number[];
  set: string[];
  driversModule: string | null;
}

export interface ShardRun {
  job: number;
  summary: Record<string, SummaryValue>;
}

export interface ShardFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** SHA-256 of the plan: equal for every shard of one sweep. */
  sweep: string;
  /** SHA-256 of the peerlab sources that ran the shard (see `codeFingerprint`). */
  code: string;
  shard: ShardSpec;
  /** Runs in the whole sweep. */
  jobs: number;
  plan: ShardPlan;
  runs: ShardRun[];
  wallMs: number;
  node: string;
  /** SHA-256 of this object's JSON without `checksum`. */
  checksum: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function shardPlan(plan: SweepPlan, driversModule?: string): ShardPlan {
  return {
    scenario: plan.scenario.name,
    protocol: plan.scenario.protocol.type,
    source: plan.source,
    text: plan.text,
    vary: plan.vary.map((v) => ({ key: v.path, texts: [...v.texts] })),
    seeds: [...plan.seeds],
    set: [...plan.baseSet],
    driversModule: driversModule ?? null,
  };
}

export function sweepIdentity(p: ShardPlan): string {
  return sha256(JSON.stringify([FORMAT, p]));
}

const SRC = fileURLToPath(new URL('..', import.meta.url));
let fingerprint: Promise<string> | null = null;

/**
 * SHA-256 over every source file under src/ (path and content, in path order): shards run by different
 * code (an image rebuilt mid-study) may give different results for the same seed, so they do not merge.
 */
export function codeFingerprint(): Promise<string> {
  fingerprint ??= (async () => {
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (/\.(ts|mts|mjs|js|json)$/.test(e.name)) files.push(p);
      }
    };
    await walk(SRC);
    files.sort();
    const h = createHash('sha256');
    for (const f of files) {
      const rel = relative(SRC, f).split('\\').join('/');
      h.update(`${rel}\0`);
      h.update(await readFile(f));
      h.update('\0');
    }
    return h.digest('hex');
  })();
  return fingerprint;
}

/** A shard file's text: compact JSON with its checksum last. */
export function shardFileText(body: Omit<ShardFile, 'checksum'>): string {
  return `${JSON.stringify({ ...body, checksum: sha256(JSON.stringify(body)) })}\n`;
}

export interface ShardRunResult {
  spec: ShardSpec;
  file: ShardFile;
  text: string;
}

/** Runs slice `spec` of the sweep on the worker pool and returns its shard file. */
export async function runShard(
  plan: SweepPlan,
  spec: ShardSpec,
  opts: { workers?: number; driversModule?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<ShardRunResult> {
  const started = performance.now();
  const all = sweepJobs(plan, opts.driversModule);
  const mine = shardJobs(all.length, spec.index, spec.count);
  const results = await runJobs(
    mine.map((j) => all[j]!),
    {
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      onResult: (_i, _r, done, total) => opts.onProgress?.(done, total),
    },
  );
  const p = shardPlan(plan, opts.driversModule);
  const body: Omit<ShardFile, 'checksum'> = {
    format: FORMAT,
    version: VERSION,
    sweep: sweepIdentity(p),
    code: await codeFingerprint(),
    shard: { index: spec.index, count: spec.count },
    jobs: all.length,
    plan: p,
    runs: mine.map((job, i) => ({ job, summary: (results[i] as { summary: Record<string, SummaryValue> }).summary })),
    wallMs: Math.round(performance.now() - started),
    node: process.versions.node,
  };
  const text = shardFileText(body);
  return { spec, file: { ...body, checksum: sha256(JSON.stringify(body)) }, text };
}

// ---- reading and merging ------------------------------------------------------------------------

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Parses and checks a shard file's text (`where` names it in messages): the JSON, the checksum, every
 * field's type, the sweep identity against the plan, and that the runs are exactly the slice's jobs.
 */
export function parseShardFile(text: string, where: string): ShardFile {
  const bad = (why: string): ShardError => new ShardError(`${where}: damaged shard file: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message}); the shard may not have finished writing, or the file was cut short`);
  }
  if (!isObj(raw)) throw bad('expected a JSON object');
  if (raw.format !== FORMAT) throw bad(`not a peerlab sweep shard (format ${JSON.stringify(raw.format ?? null)?.slice(0, 60)})`);
  if (raw.version !== VERSION) throw bad(`format version ${JSON.stringify(raw.version)?.slice(0, 20)}, this peerlab reads version ${VERSION}`);
  const { checksum, ...body } = raw;
  if (typeof checksum !== 'string' || !HEX64.test(checksum)) throw bad('no checksum');
  if (sha256(JSON.stringify(body)) !== checksum) throw bad('checksum mismatch: the file was changed or damaged after it was written');
  // the checksum holds, so a bad field below is a file written by something else or edited with care
  if (typeof raw.sweep !== 'string' || !HEX64.test(raw.sweep)) throw bad('sweep: expected a SHA-256');
  if (typeof raw.code !== 'string' || !HEX64.test(raw.code)) throw bad('code: expected a SHA-256');
  const shard = raw.shard;
  if (!isObj(shard) || !isInt(shard.count, 1) || shard.count > MAX_SHARDS || !isInt(shard.index) || shard.index >= shard.count)
    throw bad('shard: expected { index, count } with 0 <= index < count');
  if (!isInt(raw.jobs)) throw bad('jobs: expected an integer');
  const p = raw.plan;
  if (
    !isObj(p) ||
    typeof p.scenario !== 'string' ||
    typeof p.protocol !== 'string' ||
    typeof p.source !== 'string' ||
    typeof p.text !== 'string' ||
    !Array.isArray(p.vary) ||
    p.vary.length === 0 ||
    !p.vary.every((v) => isObj(v) && typeof v.key === 'string' && isStrings(v.texts) && v.texts.length > 0) ||
    !Array.isArray(p.seeds) ||
    p.seeds.length === 0 ||
    !p.seeds.every((s) => isInt(s)) ||
    !isStrings(p.set) ||
    !(p.driversModule === null || typeof p.driversModule === 'string')
  )
    throw bad('plan: missing or mistyped fields');
  const plan = p as unknown as ShardPlan;
  if (sweepIdentity(plan) !== raw.sweep) throw bad('sweep identity does not match its plan');
  const points = plan.vary.reduce((n, v) => n * v.texts.length, 1);
  if (points * plan.seeds.length !== raw.jobs) throw bad(`jobs: ${raw.jobs}, but the plan has ${points} grid points x ${plan.seeds.length} seeds`);
  const expected = shardJobs(raw.jobs, shard.index, shard.count);
  const runs = raw.runs;
  if (!Array.isArray(runs) || runs.length !== expected.length)
    throw bad(`runs: expected ${expected.length} runs for shard ${shard.index} of ${shard.count}, found ${Array.isArray(runs) ? runs.length : 'none'}`);
  runs.forEach((r, i) => {
    if (!isObj(r) || r.job !== expected[i]) throw bad(`runs[${i}]: expected job ${expected[i]}`);
    const s = r.summary;
    if (!isObj(s) || !Object.values(s).every((v) => v === null || ['number', 'string', 'boolean'].includes(typeof v)))
      throw bad(`runs[${i}].summary: expected an object of numbers, strings, booleans and nulls`);
  });
  if (!isInt(raw.wallMs)) throw bad('wallMs: expected an integer');
  if (typeof raw.node !== 'string') throw bad('node: expected a version string');
  return raw as unknown as ShardFile;
}

/** Reads one shard file, refusing one that is not a regular file or is too big to be one. */
export async function readShardFile(path: string): Promise<ShardFile> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ShardError(`${path}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ShardError) throw e;
    throw new ShardError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (size > MAX_SHARD_FILE_BYTES) throw new ShardError(`${path}: ${size} bytes, more than a shard file may hold (${MAX_SHARD_FILE_BYTES})`);
  // read at most the cap even if the file grows meanwhile
  const fh = await open(path, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(Math.min(size, MAX_SHARD_FILE_BYTES) + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_SHARD_FILE_BYTES) throw new ShardError(`${path}: grew past ${MAX_SHARD_FILE_BYTES} bytes while being read`);
    text = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  return parseShardFile(text, path);
}

const FOLDER = /^shard-(\d+)-of-(\d+)$/;

export interface FoundShards {
  files: string[];
  /** `shard-I-of-N` folders without a shard.json (a task that failed or is still running). */
  unfinished: { dir: string; index: number; count: number }[];
}

/** Each argument is a shard folder (holding shard.json) or a folder of `shard-I-of-N` folders (a study's `--out`). */
export async function findShards(dirs: string[]): Promise<FoundShards> {
  const files: string[] = [];
  const unfinished: FoundShards['unfinished'] = [];
  const has = async (p: string): Promise<boolean> => stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
  for (const d of dirs) {
    let entries;
    try {
      if (!(await stat(d)).isDirectory()) throw new ShardError(`${d}: not a folder`);
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      if (e instanceof ShardError) throw e;
      throw new ShardError(`${d}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message}`);
    }
    if (entries.some((e) => e.name === SHARD_FILE)) {
      files.push(join(d, SHARD_FILE));
      continue;
    }
    const folders = entries.filter((e) => e.isDirectory() && FOLDER.test(e.name)).map((e) => e.name).sort();
    if (folders.length === 0) throw new ShardError(`${d}: holds neither ${SHARD_FILE} nor shard-I-of-N folders`);
    for (const f of folders) {
      const p = join(d, f, SHARD_FILE);
      if (await has(p)) files.push(p);
      else {
        const m = FOLDER.exec(f) as RegExpExecArray;
        unfinished.push({ dir: join(d, f), index: Number(m[1]), count: Number(m[2]) });
      }
    }
  }
  return { files, unfinished };
}

export interface MergeResult {
  result: SweepResult;
  shards: { path: string; file: ShardFile }[];
}

/**
 * Checks that `files` are every slice of one sweep, exactly once, and rebuilds the sweep's result. The
 * same file named twice (a folder and its parent) counts once.
 */
export async function mergeShards(found: FoundShards): Promise<MergeResult> {
  const seen = new Set<string>();
  const shards: { path: string; file: ShardFile }[] = [];
  for (const path of found.files) {
    const key = resolve(path);
    if (seen.has(key)) continue;
    seen.add(key);
    shards.push({ path, file: await readShardFile(path) });
  }
  if (shards.length === 0) {
    const u = found.unfinished.map((x) => x.dir).join(', ');
    throw new ShardError(`no finished shard to merge${u ? ` (no ${SHARD_FILE} in ${u})` : ''}`);
  }
  const first = shards[0]!;
  for (const s of shards.slice(1)) {
    if (s.file.sweep !== first.file.sweep)
      throw new ShardError(
        `shards of different sweeps: ${first.path} is sweep ${first.file.sweep.slice(0, 12)} (${describe(first.file.plan)}), ${s.path} is sweep ${s.file.sweep.slice(0, 12)} (${describe(s.file.plan)})`,
      );
    if (s.file.code !== first.file.code)
      throw new ShardError(
        `shards run by different peerlab sources: ${first.path} (code ${first.file.code.slice(0, 12)}) and ${s.path} (code ${s.file.code.slice(0, 12)}); their results may differ for the same seed, so run every shard with the same build`,
      );
    if (s.file.shard.count !== first.file.shard.count)
      throw new ShardError(
        `shards of different splits overlap: ${first.path} is shard ${first.file.shard.index} of ${first.file.shard.count}, ${s.path} is shard ${s.file.shard.index} of ${s.file.shard.count}`,
      );
  }
  const n = first.file.shard.count;
  const byIndex = new Map<number, { path: string; file: ShardFile }>();
  for (const s of shards) {
    const other = byIndex.get(s.file.shard.index);
    if (other) throw new ShardError(`overlapping shards: ${other.path} and ${s.path} are both shard ${s.file.shard.index} of ${n}`);
    byIndex.set(s.file.shard.index, s);
  }
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((i) => {
      const u = found.unfinished.find((x) => x.index === i && x.count === n);
      return u ? `${i} (${u.dir} has no ${SHARD_FILE}: the task failed or has not finished)` : String(i);
    });
    throw new ShardError(
      `missing shard${missing.length > 1 ? 's' : ''} ${shown.join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} of ${n} (have ${shards.length}); merge needs every shard of the sweep`,
    );
  }
  const p = first.file.plan;
  const vary = p.vary.map((v) => ({ path: v.key, texts: [...v.texts], values: v.texts.map(parseValue) }));
  const plan: SweepPlan = {
    scenario: { name: p.scenario, protocol: { type: p.protocol } },
    text: p.text,
    source: p.source,
    vary,
    seeds: [...p.seeds],
    points: grid(vary),
    baseSet: [...p.set],
  };
  const summaries: { summary: Record<string, SummaryValue> }[] = new Array(first.file.jobs);
  for (const s of shards) for (const r of s.file.runs) summaries[r.job] = { summary: r.summary };
  // the slowest shard: how long the study took with every shard running at once
  const wallMs = Math.max(...shards.map((s) => s.file.wallMs));
  return { result: aggregateSweep(plan, summaries, wallMs), shards: [...byIndex.values()] };
}

function describe(p: ShardPlan): string {
  return `${p.source}, ${p.vary.map((v) => `${v.key}=${v.texts.join(',')}`).join(' ')}, seeds ${p.seeds[0]}..${p.seeds[p.seeds.length - 1]}`;
}
