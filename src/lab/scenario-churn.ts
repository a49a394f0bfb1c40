/**
 * The scenario's `churn` section, handed to the engine's churn model (src/sim/churn.ts). Validation
 * is the engine's (`validateChurnConfig`), so the scenario format and the engine never disagree
 * about a key. What is added here: times may be written as durations (`meanMs: 30m`), as everywhere
 * else in a scenario, and `traceFile` names a trace on disk (the engine reads no files), resolved
 * against the scenario file's folder, read and parsed here, and handed to the engine as sessions.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  installChurn,
  parseChurnTrace,
  TraceError,
  validateChurnConfig,
  type Churn,
  type ChurnConfig,
  type TraceSession,
} from '../sim/churn.js';
import type { World } from '../sim/index.js';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { markChecked, show, type Checked } from '../core/index.js';
import { convertUnits } from './units.js';

export type { ChurnConfig } from '../sim/churn.js';

/** A trace file larger than this is refused rather than read (a scenario typo should not eat the memory). */
export const MAX_TRACE_FILE_BYTES = 256 * 1024 * 1024;

export interface ChurnContext {
  /** Folder a relative `traceFile` is resolved against; null: only absolute paths are accepted. */
  baseDir?: string | null;
  /** Peers in the scenario: trace sessions of peers beyond it are an error at validation. */
  peers?: number;
}

/**
 * The folder a scenario's relative paths are resolved against: the folder of `source` when it names
 * a file (a path on the command line, a bundled scenario), else null (inline text, the dashboard).
 */
export function scenarioBaseDir(source: string): string | null {
  if (source === '' || source.startsWith('<')) return null;
  try {
    return statSync(source).isFile() ? dirname(resolve(source)) : null;
  } catch {
    return null;
  }
}

/**
 * Reads unit strings under time keys (`meanMs: 30m`), reads and parses `traceFile`, then validates
 * with the engine. Throws ScenarioError (file problems, units) or the engine's ConfigError.
 */
export function validateChurn(v: unknown, prefix: string, ctx: ChurnContext = {}): Checked<ChurnConfig> {
  const issues: ScenarioIssue[] = [];
  const converted = convertUnits(v, prefix, issues);
  if (issues.length > 0) throw new ScenarioError(issues);
  if (converted !== null && typeof converted === 'object' && !Array.isArray(converted) && 'traceFile' in converted) {
    const { traceFile, ...rest } = converted as Record<string, unknown>;
    const key = `${prefix}.traceFile`;
    if (rest.trace !== undefined) throw new ScenarioError([{ path: key, problem: `give either ${prefix}.trace (inline text) or ${prefix}.traceFile, not both` }]);
    if (rest.on !== undefined || rest.off !== undefined)
      throw new ScenarioError([{ path: key, problem: `a trace replaces on/off: give either the trace file or ${prefix}.on/${prefix}.off` }]);
    if (typeof traceFile !== 'string' || traceFile.trim() === '')
      throw new ScenarioError([{ path: key, problem: `expected the path of a trace file, got ${show(traceFile)}` }]);
    const traceLabel = `${key} (${traceFile})`;
    const sessions = readTrace(traceFile, key, traceLabel, ctx.baseDir ?? null);
    // parseChurnTrace has checked every session and the engine the other keys: together, checked
    const out = markChecked({ ...validateChurnConfig(rest, prefix), trace: sessions });
    if (ctx.peers !== undefined) checkTracePeers(sessions, ctx.peers, traceLabel, true);
    return out;
  }
  const out = validateChurnConfig(converted, prefix);
  if (ctx.peers !== undefined && Array.isArray(out.trace)) checkTracePeers(out.trace, ctx.peers, `${prefix}.trace`, false);
  return out;
}

/**
 * The trace file's path, confined to `baseDir` (the scenario's folder, or the shipped scenarios' folder for
 * text typed into the dashboard): a scenario is someone's file, and must not make the lab read, or echo in
 * an error, anything outside it (`/proc/self/environ`, `../../..`, a symlink out). Checked on real paths,
 * before anything is read.
 */
function confined(file: string, key: string, baseDir: string | null): string {
  if (baseDir === null)
    throw new ScenarioError([
      { path: key, problem: `${JSON.stringify(file)}: this scenario is not read from a file, so it has no folder to read a trace from (give the sessions inline as churn.trace)` },
    ]);
  const outside = (): ScenarioError =>
    new ScenarioError([{ path: key, problem: `${JSON.stringify(file)} is outside the scenario's folder: a trace file must be in the folder of its scenario or below it` }]);
  let root: string;
  try {
    root = realpathSync(baseDir);
  } catch {
    throw outside();
  }
  const inside = (p: string): boolean => {
    const rel = relative(root, p);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  const path = resolve(root, file);
  if (!inside(path)) throw outside();
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError([{ path: key, problem: `cannot read ${JSON.stringify(file)}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'not readable'}` }]);
  }
  if (!inside(real)) throw outside();
  return real;
}

function readTrace(file: string, key: string, label: string, baseDir: string | null): TraceSession[] {
  const path = confined(file, key, baseDir);
  const where = JSON.stringify(file);
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ScenarioError([{ path: key, problem: `cannot read ${where}: not a file` }]);
    if (st.size > MAX_TRACE_FILE_BYTES)
      throw new ScenarioError([{ path: key, problem: `cannot read ${where}: ${st.size} bytes, more than the ${MAX_TRACE_FILE_BYTES} a trace may have` }]);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'not readable';
    throw new ScenarioError([{ path: key, problem: `cannot read ${where}: ${why}` }]);
  }
  try {
    return parseChurnTrace(text, label);
  } catch (e) {
    if (e instanceof TraceError) throw new ScenarioError([{ path: `${label} line ${e.line}`, problem: e.problem }]);
    throw e;
  }
}

/** Sessions of peers the world will not have: found now, with the line, instead of when the run starts. */
function checkTracePeers(sessions: TraceSession[], peers: number, label: string, inFile: boolean): void {
  for (const s of sessions)
    if (s.peer >= peers) {
      const problem = `peer ${s.peer} is not in the world (the scenario has ${peers} peers, ids 0..${peers - 1})`;
      // a file's line goes with the file name (`churn.traceFile (x.txt) line 3: ...`), inline text's after the key
      const issue = !s.line ? { path: label, problem } : inFile ? { path: `${label} line ${s.line}`, problem } : { path: label, problem: `line ${s.line}: ${problem}` };
      throw new ScenarioError([issue]);
    }
}

/** Installs a scenario's churn, checked when the scenario was parsed. */
export function installScenarioChurn(world: World, cfg: Checked<ChurnConfig>): Churn {
  return installChurn(world, cfg);
}
