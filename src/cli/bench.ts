/**
 * `peerlab bench <name|file.yaml> [--json] [--runs N] [--warmup N] [options]`: runs the bench that
 * resources/bench/<name>.yaml (or the given file) describes, in this process, and prints its figures as
 * one JSON object on the last line of stdout (with --json, that line is all that is printed there).
 * Peak RSS is the process's own high-water mark, so run one bench per process.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cases } from '../bench/cases/index.js';
import { checkCaseOptions, loadBenchFile, type BenchFile } from '../bench/file.js';
import { optionHelp, optionValues, parseArgsOptions, runnerCounts } from '../bench/options.js';
import { runBench } from '../bench/runner.js';
import { ConfigError } from '../core/index.js';
import { Command } from './args.js';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../resources/bench');

function listing(): string {
  const rows = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const name = basename(f, '.yaml');
      try {
        return `  ${name.padEnd(11)} ${loadBenchFile(join(BENCH_DIR, f), name).summary}`;
      } catch (e) {
        return `  ${name.padEnd(11)} (does not load: ${(e as Error).message})`;
      }
    });
  return [
    'usage: peerlab bench <name|file.yaml> [--json] [--runs N] [--warmup N] [options]',
    '',
    `benches (each a file in resources/bench/; 'peerlab bench <name> --help' lists its options):`,
    ...rows,
  ].join('\n');
}

function benchFileOf(arg: string): BenchFile {
  if (arg.endsWith('.yaml') || arg.endsWith('.yml')) return loadBenchFile(arg, basename(arg).replace(/\.ya?ml$/, ''));
  if (!/^[a-z][a-z0-9-]*$/.test(arg)) throw new ConfigError(arg, 'expected a bench name such as engine, or a bench file');
  const path = join(BENCH_DIR, `${arg}.yaml`);
  if (!existsSync(path)) throw new ConfigError(arg, 'unknown benchmark');
  return loadBenchFile(path, arg);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const top = new Command('bench', listing());
  if (!name || name === '--help' || name === '-h') {
    console.log(top.usage);
    return name ? 0 : 1;
  }
  let file: BenchFile;
  try {
    file = benchFileOf(name);
  } catch (e) {
    const unknown = e instanceof ConfigError && e.problem === 'unknown benchmark';
    return top.fail(unknown ? `unknown benchmark '${name}'` : (e as Error).message, unknown);
  }
  const cmd = new Command(`bench ${file.name}`, `usage: peerlab bench ${file.name} [options]\n\n${file.summary}\n\noptions:\n${optionHelp(file)}`);
  const loadCase = cases[file.case];
  if (!loadCase) return cmd.fail(`${file.path}: case: unknown case ${JSON.stringify(file.case)} (known: ${Object.keys(cases).join(', ')})`);
  const parsed = cmd.parse(rest, parseArgsOptions(file));
  if (typeof parsed === 'number') return parsed;
  const given = parsed.values as Record<string, string | boolean | undefined>;
  const { values, problems } = optionValues(file, given);
  const counts = runnerCounts(file, given);
  problems.push(...counts.problems);
  if (problems.length > 0) return cmd.fail(problems.join('\n'));
  const benchCase = await loadCase();
  try {
    checkCaseOptions(file, benchCase.options);
  } catch (e) {
    return cmd.fail((e as Error).message);
  }
  const json = given.json === true;
  const out = await runBench(file, benchCase, values, {
    runs: counts.runs,
    warmup: counts.warmup,
    argv: rest,
    log: json ? undefined : (line) => console.error(`bench ${file.name}: ${line}`),
  });
  if (!json) console.log(`peerlab bench ${file.name}:`);
  console.log(JSON.stringify(out));
  return 0;
}
