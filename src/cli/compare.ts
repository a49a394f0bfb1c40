/**
 * `peerlab compare --out <dir> [--quick] [--workers N]`: the lab's headline report, gossip vs
 * Kademlia vs BitTorrent on the same dissemination task (see src/lab/compare.ts). Writes
 * report.html, compare.json and compare.csv. `--quick` runs small sizes (for tests and a first look).
 */
import { parseArgs } from 'node:util';
import { compareConfig, measure, runCompare, PROTO_LABEL, type CompareResult } from '../lab/compare.js';
import { jsonNumber, rowsCsv, writeResults } from '../lab/output.js';
import { defaultWorkers } from '../lab/pool.js';
import { formatDuration } from '../lab/units.js';

const USAGE = `usage: peerlab compare --out <dir> [--quick] [--workers N]

  --out <dir>    report.html, compare.json, compare.csv
  --quick        small sizes only (seconds, not minutes)
  --workers N    worker threads (default: one per core, ${defaultWorkers()} here)`;

export async function main(argv: string[]): Promise<number> {
  let values: { out?: string; quick?: boolean; workers?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', short: 'o' },
        quick: { type: 'boolean' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`peerlab compare: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.out) {
    console.error(`peerlab compare: missing --out <dir>\n\n${USAGE}`);
    return 2;
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isSafeInteger(workers) || workers < 1) {
      console.error(`peerlab compare: --workers: expected an integer >= 1, got ${JSON.stringify(values.workers)}`);
      return 2;
    }
  }
  const cfg = compareConfig(values.quick === true);
  const tty = process.stderr.isTTY;
  const started = performance.now();
  const result = await runCompare(cfg, {
    workers: workers ?? defaultWorkers(),
    onProgress: (done, total, c) => {
      const line = `${done}/${total} runs  ${formatDuration(performance.now() - started)}  (${c.study} ${PROTO_LABEL[c.proto]} ${c.peers} peers)`;
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  const { compareReport } = await import('../lab/report/compare.js');
  await writeResults(values.out, {
    'report.html': compareReport(result),
    'compare.json': compareJson(result),
    'compare.csv': compareCsv(result),
  });
  console.log(`peerlab compare: ${result.cases.length} runs in ${formatDuration(result.wallMs)} on ${result.workers} workers; wrote ${values.out}/{report.html,compare.json,compare.csv}`);
  return 0;
}

function compareJson(r: CompareResult): string {
  const runs = r.cases.map((c, i) => {
    const m = measure(c, r.results[i]!);
    return {
      id: c.id,
      study: c.study,
      protocol: c.proto,
      peers: c.peers,
      churn: c.churn,
      fileBytes: c.fileBytes,
      seed: c.seed,
      metrics: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'number' ? jsonNumber(v) : v])),
      summary: r.results[i]!.summary,
    };
  });
  const groups = r.groups.map((g) => ({
    ...g,
    metrics: Object.fromEntries(Object.entries(g.metrics).map(([k, a]) => [k, { mean: jsonNumber(a.mean), ci95: jsonNumber(a.ci95), n: a.n }])),
  }));
  return `${JSON.stringify({ config: r.config, wallMs: Math.round(r.wallMs), workers: r.workers, groups, runs }, null, 2)}\n`;
}

function compareCsv(r: CompareResult): string {
  const cols = ['study', 'protocol', 'peers', 'churn', 'fileBytes', 'seed', 'timeMs', 'reliability', 'messagesPerPeer', 'bytesPerPeer', 'rounds', 'hops', 'boundMs', 'wallMs'];
  return rowsCsv(
    cols,
    r.cases.map((c, i) => ({
      study: c.study,
      protocol: c.proto,
      peers: c.peers,
      churn: c.churn,
      fileBytes: c.fileBytes,
      seed: c.seed,
      ...measure(c, r.results[i]!),
      wallMs: r.results[i]!.summary.wallMs,
    })),
  );
}
