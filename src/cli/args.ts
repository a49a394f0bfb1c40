/**
 * The argv preamble the `peerlab` subcommands share: `parseArgs` (node:util) with `-h/--help` added,
 * the usage on `--help`, and every input problem printed the same way (`peerlab <cmd>: <why>`, the
 * usage after it where that helps) with exit code 2. Also the pieces run/sweep and serve/signal both
 * need: integer options with a range, the test-only `--drivers-module`, scenario errors, and waiting
 * for Ctrl+C.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ScenarioError } from '../lab/errors.js';
import type { LoadOptions } from '../lab/load.js';
import type { ProtocolDriver } from '../protocols/driver.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Config<O extends Options, P extends boolean> = { args: string[]; options: O & typeof HELP; allowPositionals: P; strict: true };

/** What `parse` returns: the values (typed by the option table, `help` included) and the positionals. */
export type Parsed<O extends Options, P extends boolean = false> = ReturnType<typeof parseArgs<Config<O, P>>>;

/** Exit code of a command given bad input. */
export const USAGE_ERROR = 2;

export class Command {
  constructor(
    /** The subcommand (`run`), as messages name it: `peerlab run: ...`. */
    readonly name: string,
    readonly usage: string,
  ) {}

  /**
   * Parses `argv` against `options` (plus `-h/--help`). Returns the parsed values, or the exit code
   * when there is nothing left to do: 0 after printing the usage for `--help`, 2 after a parse error
   * (printed with the usage).
   */
  parse<const O extends Options, const P extends boolean = false>(argv: string[], options: O, allowPositionals?: P): Parsed<O, P> | number {
    let parsed: Parsed<O, P>;
    try {
      parsed = parseArgs({ args: argv, options: { ...options, ...HELP }, allowPositionals: (allowPositionals ?? false) as P, strict: true }) as Parsed<O, P>;
    } catch (e) {
      return this.fail((e as Error).message, true);
    }
    if ((parsed.values as { help?: boolean }).help) {
      console.log(this.usage);
      return 0;
    }
    return parsed;
  }

  /** Prints `peerlab <name>: <message>` (and the usage after a blank line if asked); returns 2. */
  fail(message: string, withUsage = false): number {
    console.error(`peerlab ${this.name}: ${message}${withUsage ? `\n\n${this.usage}` : ''}`);
    return USAGE_ERROR;
  }

  /**
   * An integer option in [min, max]: undefined if not given, null (after printing why) if bad.
   * `--seeds: expected an integer >= 1, got "0"`, `--port: expected an integer in [0, 65535], got "x"`.
   */
  int(option: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined | null {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
      this.fail(`--${option}: expected an integer ${range}, got ${JSON.stringify(raw)}`);
      return null;
    }
    return n;
  }

  /**
   * Prints a scenario that cannot run (`peerlab run: a.yaml: invalid scenario` and its problems, one per
   * indented line) and returns 2. `file` names it when the error itself does not know where it came from.
   */
  invalidScenario(e: ScenarioError | Error, file?: string): number {
    const source = e instanceof ScenarioError && e.source !== '<inline>' ? e.source : (file ?? '<inline>');
    console.error(`peerlab ${this.name}: ${source}: invalid scenario\n${e.message.replace(/^/gm, '  ')}`);
    return USAGE_ERROR;
  }
}

/** The nearest existing folder at or above `path`, or why there is none to write into. */
function writableAncestor(path: string): string | null {
  let dir = resolve(path);
  for (;;) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      const up = dirname(dir);
      if (up === dir) return `no folder to create ${path} in`;
      dir = up;
      continue;
    }
    if (!st.isDirectory()) return `${dir} is a file, not a folder`;
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      return `cannot write in ${dir} (permission denied)`;
    }
    return null;
  }
}

/**
 * Why results cannot go into the folder `out`, or null: it must be a folder or not exist yet, inside a
 * folder we may write in. Checked before anything runs, so a bad path costs no run and writes nothing.
 */
export function outDirProblem(out: string): string | null {
  try {
    if (!statSync(out).isDirectory()) return `--out ${out}: exists and is not a folder`;
  } catch {
    /* created later */
  }
  const why = writableAncestor(out);
  return why ? `--out ${out}: ${why}` : null;
}

/** Why the file `path` (named by `option`) cannot be written, or null; checked before anything runs. */
export function outFileProblem(option: string, path: string): string | null {
  if (path === '' || path.endsWith('/')) return `${option} ${JSON.stringify(path)}: expected a file name`;
  try {
    if (statSync(path).isDirectory()) return `${option} ${path}: is a folder, expected a file name`;
  } catch {
    /* created later */
  }
  let parent: ReturnType<typeof statSync> | null = null;
  try {
    parent = statSync(dirname(resolve(path)));
  } catch {
    return `${option} ${path}: no folder ${dirname(path)}`;
  }
  if (!parent.isDirectory()) return `${option} ${path}: ${dirname(path)} is not a folder`;
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch {
    return `${option} ${path}: cannot write in ${dirname(path)} (permission denied)`;
  }
  return null;
}

/** The options of the commands that run one scenario file (run, sweep). */
export const SCENARIO_OPTIONS = {
  out: { type: 'string', short: 'o' },
  seed: { type: 'string' },
  set: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  /** For tests: a module exporting `drivers` to use instead of the registry. */
  'drivers-module': { type: 'string' },
} as const;

/** A scenario command's arguments, checked: the file, the values, and what the loader takes. */
export interface ScenarioArgs<O extends Options> {
  file: string;
  /** `--out`, required. */
  out: string;
  values: Parsed<O & typeof SCENARIO_OPTIONS, true>['values'];
  /** `--seed`, `--set` and the drivers, as `loadScenarioFile` and `planSweep` take them. */
  load: LoadOptions;
}

/**
 * Parses a command that runs one scenario file: `SCENARIO_OPTIONS` plus the command's own `options`.
 * Checks there is exactly one file and an `--out`, and reads `--seed`, `--set` and `--drivers-module`.
 * Returns the exit code instead when there is nothing to run (help, or bad arguments, already printed).
 */
export async function scenarioArgs<const O extends Options>(cmd: Command, argv: string[], options: O): Promise<ScenarioArgs<O> | number> {
  const parsed = cmd.parse(argv, { ...SCENARIO_OPTIONS, ...options } as O & typeof SCENARIO_OPTIONS, true);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  // the shared keys, seen through the generic type the compiler cannot narrow here
  const common = values as { out?: string; seed?: string; set?: string[]; 'drivers-module'?: string };
  const file = positionals[0];
  if (!file) return cmd.fail('missing the scenario file', true);
  if (positionals.length > 1) return cmd.fail(`one scenario at a time (got ${positionals.length})`, true);
  if (!common.out) return cmd.fail('missing --out <dir>', true);
  const outProblem = outDirProblem(common.out);
  if (outProblem) return cmd.fail(outProblem);
  const seed = cmd.int('seed', common.seed, 0);
  if (seed === null) return USAGE_ERROR;
  const drivers = await driversFrom(common['drivers-module']);
  return { file, out: common.out, values, load: { ...(seed !== undefined ? { seed } : {}), set: common.set ?? [], ...(drivers ? { drivers } : {}) } };
}

/** For tests: `--drivers-module <path>` names a module exporting `drivers` to use instead of the registry. */
export async function driversFrom(module: string | undefined): Promise<Record<string, ProtocolDriver> | undefined> {
  if (!module) return undefined;
  return ((await import(module)) as { drivers: Record<string, ProtocolDriver> }).drivers;
}

/** Resolves on the first SIGINT or SIGTERM (then stops listening for them): how servers wait for Ctrl+C. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
