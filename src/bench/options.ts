/**
 * The one option parser of every bench: a bench file's `options` become the command line's `--name
 * value` options (checked by node:util parseArgs in strict mode, so a misspelt option is an error, not a
 * silent default), and each value is converted and checked against its declaration.
 */
import type { ParseArgsConfig } from 'node:util';
import { checkValue, type BenchFile, type OptionSpec, type OptionValue } from './file.js';

/** Options of the runner itself, valid for every bench (a bench file may not declare them). */
export const RUNNER_OPTIONS = {
  runs: { type: 'string' },
  warmup: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The parseArgs table for a bench file's options plus the runner's. */
export function parseArgsOptions(file: BenchFile): NonNullable<ParseArgsConfig['options']> {
  const table: NonNullable<ParseArgsConfig['options']> = { ...RUNNER_OPTIONS };
  for (const [name, o] of Object.entries(file.options)) table[name] = { type: o.type === 'flag' ? 'boolean' : 'string' };
  return table;
}

/** `file-size` -> `fileSize`: how a case receives its options. */
export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function convert(o: OptionSpec, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  switch (o.type) {
    case 'int':
    case 'number':
      return raw.trim() === '' ? raw : Number(raw);
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

/**
 * The values a case runs with: each option's default, overridden by the command line. Problems come
 * back as `--name: expected ..., got "raw"` (the raw text as typed), one per bad option.
 */
export function optionValues(file: BenchFile, given: Record<string, string | boolean | undefined>): { values: Record<string, OptionValue>; problems: string[] } {
  const values: Record<string, OptionValue> = {};
  const problems: string[] = [];
  for (const [name, o] of Object.entries(file.options)) {
    const raw = given[name];
    if (raw === undefined) {
      if (o.default !== undefined && o.default !== null) values[camel(name)] = o.default;
      else if (o.type === 'flag') values[camel(name)] = false;
      continue;
    }
    const v = convert(o, raw);
    const problem = checkValue(o, v);
    if (problem) problems.push(`--${name}: ${problem.replace(/, got .*$/, '')}, got ${JSON.stringify(raw)}`);
    else values[camel(name)] = v as OptionValue;
  }
  return { values, problems };
}

/** The runner's own counts: `--runs` and `--warmup` override the file's. */
export function runnerCounts(file: BenchFile, given: Record<string, string | boolean | undefined>): { runs: number; warmup: number; problems: string[] } {
  const problems: string[] = [];
  const count = (name: 'runs' | 'warmup', dflt: number, min: number): number => {
    const raw = given[name];
    if (typeof raw !== 'string') return dflt;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min || n > 1000) {
      problems.push(`--${name}: expected an integer in [${min}, 1000], got ${JSON.stringify(raw)}`);
      return dflt;
    }
    return n;
  };
  return { runs: count('runs', file.runs, 1), warmup: count('warmup', file.warmup, 0), problems };
}

/** The option list of `peerlab bench NAME --help`: each option, its default and what it means. */
export function optionHelp(file: BenchFile): string {
  const rows = Object.entries(file.options).map(([name, o]) => {
    const flag = o.type === 'flag' ? `--${name}` : `--${name} ${o.choices ? o.choices.join('|') : o.type === 'json' ? 'JSON' : o.type === 'string' ? 'TEXT' : 'N'}`;
    const dflt = o.default === undefined || o.default === null ? '' : ` (default ${typeof o.default === 'object' ? JSON.stringify(o.default) : String(o.default)})`;
    return flag.length < 30 ? `  ${flag.padEnd(30)} ${o.doc}${dflt}` : `  ${flag}\n  ${''.padEnd(30)} ${o.doc}${dflt}`;
  });
  rows.push(
    `  ${'--runs N'.padEnd(30)} timed runs; figures of the median run, medians of all (default ${file.runs})`,
    `  ${'--warmup N'.padEnd(30)} untimed runs first (default ${file.warmup})`,
    `  ${'--json'.padEnd(30)} print only the JSON line`,
  );
  return rows.join('\n');
}
