/**
 * `peerlab run <scenario> --out <dir> [--seed N] [--set key.path=value ...]`: runs one scenario and
 * writes `summary.json`, `series.csv`, `samples.csv` and `report.html` into `<dir>`. A bad scenario
 * exits with code 2 and a message naming the path; nothing is written.
 */
import { parseArgs } from 'node:util';
import { ScenarioError } from '../lab/errors.js';
import type { ProtocolDriver } from '../protocols/driver.js';
import { loadScenarioFile } from '../lab/load.js';
import { samplesCsv, seriesCsv, summaryJson, summaryObject, writeResults } from '../lab/output.js';
import { formatValue } from '../lab/report/format.js';
import { runSession } from '../lab/runner.js';
import { createSession } from '../lab/session.js';
import { formatDuration } from '../lab/units.js';

const USAGE = `usage: peerlab run <scenario.yaml|json> --out <dir> [--seed N] [--set key.path=value ...] [--quiet]

  --out <dir>        where summary.json, series.csv, samples.csv and report.html go
  --seed <N>         overrides the scenario's seed
  --set k.path=v     overrides one key (the value is read as YAML), e.g. --set protocol.fanout=3
  --quiet            no progress bar, no summary on stdout`;

export async function main(argv: string[]): Promise<number> {
  let values: {
    out?: string;
    seed?: string;
    set?: string[];
    quiet?: boolean;
    help?: boolean;
    /** For tests: a module exporting `drivers` to use instead of the registry. */
    'drivers-module'?: string;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        seed: { type: 'string' },
        set: { type: 'string', multiple: true },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        'drivers-module': { type: 'string' },
      },
    }));
  } catch (e) {
    console.error(`peerlab run: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1 || !values.out) {
    console.error(`peerlab run: ${!file ? 'missing the scenario file' : positionals.length > 1 ? `one scenario at a time (got ${positionals.length})` : 'missing --out <dir>'}\n\n${USAGE}`);
    return 2;
  }
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) {
      console.error(`peerlab run: --seed: expected a non-negative integer, got ${JSON.stringify(values.seed)}`);
      return 2;
    }
  }

  const dm = values['drivers-module'];
  const drivers = dm ? ((await import(dm)) as { drivers: Record<string, ProtocolDriver> }).drivers : undefined;
  let scenario;
  try {
    scenario = await loadScenarioFile(file, { ...(seed !== undefined ? { seed } : {}), set: values.set ?? [], ...(drivers ? { drivers } : {}) });
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(`peerlab run: ${e.source}: invalid scenario\n${indent(e.message)}`);
      return 2;
    }
    throw e;
  }

  const started = performance.now();
  let session;
  try {
    session = createSession(scenario, drivers ? { drivers } : {});
  } catch (e) {
    // a combination of keys the driver refuses (its schema cannot see across sections)
    console.error(`peerlab run: ${scenario.source}: invalid scenario\n${indent((e as Error).message)}`);
    return 2;
  }
  const tty = process.stderr.isTTY && !values.quiet;
  const result = runSession(session, {
    ...(tty ? { onProgress: (f: number, t: number) => progress(f, t, performance.now() - started) } : {}),
  }, started);
  if (tty) process.stderr.write('\r\x1b[2K');

  const summary = summaryObject(result);
  // charts load only now: a bad scenario fails fast without paying for ECharts
  const { runReport } = await import('../lab/report/run.js');
  const html = runReport(result, scenario, summary);
  await writeResults(values.out, {
    'summary.json': summaryJson(result),
    'series.csv': seriesCsv(result.series),
    'samples.csv': samplesCsv(result.samples),
    'report.html': html,
  });

  if (!values.quiet) {
    console.log(`${scenario.name}: ${result.protocol}, ${result.peers} peers, seed ${result.seed}`);
    console.log(`  ended by ${result.endReason} at ${formatDuration(result.virtualTimeMs)} virtual, ${formatDuration(result.wallMs)} wall, ${result.events.toLocaleString('en-US')} events`);
    const width = Math.max(...Object.keys(result.summary).map((k) => k.length));
    for (const k of Object.keys(result.summary)) console.log(`  ${k.padEnd(width)}  ${formatValue(k, summary[k])}`);
    console.log(`  wrote ${values.out}/{summary.json,series.csv,samples.csv,report.html}`);
  }
  return 0;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function progress(fraction: number, virtualMs: number, wallMs: number): void {
  const width = 30;
  const filled = Math.round(fraction * width);
  process.stderr.write(
    `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  virtual ${formatDuration(virtualMs)}  wall ${formatDuration(wallMs)}`,
  );
}
