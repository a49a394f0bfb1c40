/**
 * Loading a scenario the way the CLI does: read the file, apply `--seed` and `--set key.path=value`
 * overrides to the raw document, then validate the result. Every problem becomes a ScenarioError
 * naming the file and the path.
 */
import { readFile } from 'node:fs/promises';
import type { ProtocolDriver } from '../protocols/driver.js';
import { ScenarioError } from './errors.js';
import { parseAssignment, parseScenario, parseText, withOverride, type ParseOptions, type Scenario } from './scenario.js';

export interface LoadOptions {
  seed?: number;
  /** `key.path=value` assignments, applied in order. */
  set?: string[];
  drivers?: Record<string, ProtocolDriver>;
  /** Folder for relative paths in the scenario (`churn.traceFile`); default: the folder of the source file. */
  baseDir?: string | null;
}

export async function loadScenarioFile(path: string, opts: LoadOptions = {}): Promise<Scenario> {
  return scenarioFromText(await readScenarioText(path), path, opts);
}

/** A scenario file's text; a file that cannot be read is a ScenarioError naming it. */
export async function readScenarioText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError([{ path: '', problem: code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}` }], path);
  }
}

function parseOptions(opts: LoadOptions): ParseOptions {
  return opts.baseDir !== undefined ? { baseDir: opts.baseDir } : {};
}

export function scenarioFromText(text: string, source: string, opts: LoadOptions = {}): Scenario {
  const parsed = parseText(text, source);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parseScenario(parsed ?? '', source, opts.drivers, parseOptions(opts));
  let raw = parsed as Record<string, unknown>;
  const notes: string[] = [];
  try {
    if (opts.seed !== undefined) {
      raw = withOverride(raw, 'seed', opts.seed);
      notes.push(`--seed ${opts.seed}`);
    }
    for (const a of opts.set ?? []) {
      const { path, value } = parseAssignment(a);
      raw = withOverride(raw, path, value);
      notes.push(`--set ${a}`);
    }
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(e.issues, source);
    throw e;
  }
  const scenario = parseScenario(raw, source, opts.drivers, parseOptions(opts));
  scenario.text = notes.length > 0 ? `${text.trimEnd()}\n\n# overridden on the command line: ${notes.join(' ')}\n` : text;
  return scenario;
}
