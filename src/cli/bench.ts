/**
 * `peerlab bench <name> [--json] [options]`: runs one benchmark in this process and prints its result
 * as one JSON object on the last line of stdout (with --json, that line is all that is printed to
 * stdout). Peak RSS is the process's own high-water mark (getrusage), so run one bench per process.
 *
 * Each bench lives beside the code it measures and exports `bench(options): Promise<object>`.
 */
import { parseArgs } from 'node:util';
import { v8Tuning } from '../host/v8-tuning.js';

type BenchFn = (opts: Record<string, string | boolean | undefined>) => Promise<Record<string, unknown>>;

const benches: Record<string, { summary: string; load: () => Promise<{ bench: BenchFn }> }> = {
  engine: { summary: 'raw event throughput on a realistic mix (random delays, cancels)', load: () => import('../sim/bench.js') },
  gossip: { summary: 'push gossip of one message to --peers N (default 1000000)', load: () => import('../protocols/gossip/bench.js') },
  kademlia: { summary: '--peers N --lookups M iterative lookups', load: () => import('../protocols/kademlia/bench.js') },
  bittorrent: { summary: 'flash crowd of --peers N leechers', load: () => import('../protocols/bittorrent/bench.js') },
  hybrid: { summary: 'trackerless flash crowd of --peers N leechers (DHT peer discovery)', load: () => import('../protocols/hybrid/bench.js') },
  adaptive: { summary: '--peers N with 15% droppers/corrupters/badmouthers, reputation on (--strategy for rewiring)', load: () => import('../protocols/adaptive/bench.js') },
  sync: { summary: 'live WebRTC + Yjs edits among --peers N, per sync mode', load: () => import('../live/bench.js') },
  dashboard: { summary: 'recording size and scrub latency on --scenario NAME (dashboard timeline)', load: () => import('../host/bench.js') },
};

function usage(): string {
  return [
    'usage: peerlab bench <name> [--json] [--peers N] [--lookups N] [--seed N] ...',
    '',
    ...Object.entries(benches).map(([n, b]) => `  ${n.padEnd(11)} ${b.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const entry = benches[name];
  if (!entry) {
    console.error(`peerlab bench: unknown benchmark '${name}'\n\n${usage()}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    // strict: false treats `--peers 1000` as a flag plus a stray positional: join such pairs first
    const args: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i] as string;
      const next = rest[i + 1];
      if (a.startsWith('--') && !a.includes('=') && next !== undefined && !next.startsWith('--')) {
        args.push(`${a}=${next}`);
        i++;
      } else args.push(a);
    }
    ({ values } = parseArgs({ args, strict: false, allowPositionals: false }));
  } catch (e) {
    console.error(`peerlab bench ${name}: ${(e as Error).message}`);
    return 2;
  }
  const { bench } = await entry.load();
  const result = await bench(values);
  const peakRssMB = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  const out = { bench: name, ...result, peakRssMB, v8Flags: v8Tuning(), execArgv: process.execArgv };
  if (!values.json) console.log(`peerlab bench ${name}:`);
  console.log(JSON.stringify(out));
  return 0;
}
