/**
 * `peerlab compare --out <dir> [--quick] [--workers N]`: the lab's headline report, gossip vs
 * Kademlia vs BitTorrent on the same dissemination task, and the collaborative-sync study (sync overlay
 * vs the y-webrtc model vs flooding; see src/lab/compare-study.ts). Writes
 * report.html, compare.json and compare.csv. `--quick` runs small sizes (for tests and a first look).
 */
import { Command, outDirProblem, USAGE_ERROR } from './args.js';
import { compareConfig, measure, runCompare, PROTO_LABEL, type CompareResult } from '../lab/compare-study.js';
import { jsonNumber, rowsCsv, writeResults } from '../lab/output.js';
import { defaultWorkers } from '../lab/pool.js';
import { formatDuration } from '../lab/units.js';

const USAGE = `usage: peerlab compare --out <dir> [--quick] [--workers N]

  --out <dir>    report.html, compare.json, compare.csv
  --quick        small sizes only (seconds, not minutes)
  --workers N    worker threads (default: one per core, ${defaultWorkers()} here)`;

const cmd = new Command('compare', USAGE);

export async function main(argv: string[]): Promise<number> {
  const parsed = cmd.parse(argv, {
    out: { type: 'string', short: 'o' },
    quick: { type: 'boolean' },
    workers: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.out) return cmd.fail('missing --out <dir>', true);
  const outProblem = outDirProblem(values.out);
  if (outProblem) return cmd.fail(outProblem);
  const workers = cmd.int('workers', values.workers, 1);
  if (workers === null) return USAGE_ERROR;
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
  const { compareReport } = await import('../lab/report/compare-report.js');
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
  const cols = ['study', 'protocol', 'peers', 'churn', 'fileBytes', 'seed', 'timeMs', 'reliability', 'messagesPerPeer', 'bytesPerPeer', 'rounds', 'hops', 'boundMs', 'firstPeerMs', 'discoveryBytesPerPeer', 'isolateMs', 'cutOff', 'falsePositives', 'deliveryEarly', 'deliveryLate', 'reputationBytesPerPeer', 'convergenceP50Ms', 'bytesPerEditPerPeer', 'linksPerPeer', 'joinBytesPerDocByte', 'signalingPerPeer', 'wallMs'];
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
