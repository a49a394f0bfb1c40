/**
 * Bench files (resources/bench/NAME.yaml): each `peerlab bench NAME` is one reviewable file that says
 * what runs (`case`, the measured code in src/bench/cases/), with which settings (`options`, each with
 * its default, bounds and meaning; any of them can be overridden on the command line as `--name value`),
 * and how often (`runs` timed runs after `warmup` untimed ones). Reading the file tells what a figure
 * measured; changing a default is a reviewed change of the bench.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, show } from '../core/index.js';
import { intIn, zodIssues } from '../core/schema.js';
import { ScenarioError } from '../lab/errors.js';
import { MAX_SCENARIO_CHARS, readYaml } from '../lab/yaml-text.js';

const NAME = /^[a-z][a-z0-9-]*$/;

const optionSpec = z
  .strictObject({
    /** int and number: a number in [min, max]; string: one of `choices` if given; flag: true when present, no value; json: an object. */
    type: z.enum(['int', 'number', 'string', 'flag', 'json']),
    default: z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.unknown()), z.null()]).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    choices: z.array(z.string()).min(1).optional(),
    doc: z.string().min(1),
  })
  .superRefine((o, ctx) => {
    if (o.default === undefined || o.default === null) return;
    const problem = checkValue(o as OptionSpec, o.default);
    if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
  });

export type OptionType = 'int' | 'number' | 'string' | 'flag' | 'json';
export type OptionSpec = {
  type: OptionType;
  default?: OptionValue | null | undefined;
  min?: number | undefined;
  max?: number | undefined;
  choices?: string[] | undefined;
  doc: string;
};
export type OptionValue = number | string | boolean | Record<string, unknown>;

const benchFileSchema = z.strictObject({
  /** One line for `peerlab bench --help`. */
  summary: z.string().min(1),
  /** The measured code: a name src/bench/cases/index.ts knows. */
  case: z.string().regex(NAME, { message: 'expected a case name such as gossip-broadcast' }),
  /** Timed runs; the figures printed are the median run's (by wall time), `medians` has every figure's median. */
  runs: intIn(1, 1000).default(1),
  /** Untimed runs first, with the same options (lets the JIT settle). */
  warmup: intIn(0, 100).default(0),
  options: z.record(z.string().regex(NAME, { message: 'expected an option name such as file-size' }), optionSpec).default({}),
});
export type BenchFile = z.output<typeof benchFileSchema> & { name: string; path: string };

/** What is wrong with `v` as a value of option `o`, or null. */
export function checkValue(o: OptionSpec, v: unknown): string | null {
  switch (o.type) {
    case 'int':
    case 'number': {
      const min = o.min ?? -Infinity;
      const max = o.max ?? Infinity;
      const what = o.type === 'int' ? 'an integer' : 'a number';
      const ok = typeof v === 'number' && Number.isFinite(v) && (o.type === 'number' || Number.isSafeInteger(v)) && v >= min && v <= max;
      if (ok) return null;
      const range = max === Infinity ? (min === -Infinity ? '' : ` >= ${min}`) : min === -Infinity ? ` <= ${max}` : ` in [${min}, ${max}]`;
      return `expected ${what}${range}, got ${show(v)}`;
    }
    case 'string':
      if (typeof v !== 'string') return `expected a string, got ${show(v)}`;
      if (o.choices && !o.choices.includes(v)) return `expected one of ${o.choices.join(', ')}, got ${show(v)}`;
      return null;
    case 'flag':
      return typeof v === 'boolean' ? null : `expected true or false, got ${show(v)}`;
    case 'json':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? null : `expected an object such as {"a":1}, got ${show(v)}`;
  }
}

/** Reads and checks a bench file; a problem throws ConfigError naming the file and the key. */
export function loadBenchFile(path: string, name: string): BenchFile {
  let raw: unknown;
  try {
    if (statSync(path).size > MAX_SCENARIO_CHARS) throw new ConfigError(path, `larger than ${MAX_SCENARIO_CHARS} bytes`);
    raw = readYaml(readFileSync(path, 'utf8'), path);
  } catch (e) {
    const first = e instanceof ScenarioError ? e.issues[0] : undefined;
    if (first) throw new ConfigError(first.path ? `${path}: ${first.path}` : path, first.problem);
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(path, `cannot read: ${(e as Error).message}`);
  }
  const parsed = benchFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = zodIssues(parsed.error.issues)[0];
    throw new ConfigError(`${path}${issue?.path ? `: ${issue.path}` : ''}`, issue?.problem ?? 'invalid');
  }
  return { ...parsed.data, name, path };
}

/** Throws ConfigError unless the file declares exactly the options the case takes, with its types. */
export function checkCaseOptions(file: BenchFile, takes: Readonly<Record<string, OptionType>>): void {
  for (const [name, type] of Object.entries(takes)) {
    const o = file.options[name];
    if (!o) throw new ConfigError(`${file.path}: options.${name}`, `missing: case ${file.case} takes it (${type})`);
    if (o.type !== type) throw new ConfigError(`${file.path}: options.${name}.type`, `case ${file.case} takes ${type}, the file says ${o.type}`);
  }
  for (const name of Object.keys(file.options))
    if (!(name in takes)) throw new ConfigError(`${file.path}: options.${name}`, `case ${file.case} takes no such option (it takes ${Object.keys(takes).join(', ') || 'none'})`);
  for (const name of ['runs', 'warmup', 'json', 'help'])
    if (name in file.options) throw new ConfigError(`${file.path}: options.${name}`, 'reserved for the runner');
}
