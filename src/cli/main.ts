/**
 * The `peerlab` command: a table of subcommands, each in its own module exporting
 * `main(argv): Promise<number>` (the exit code). Modules load lazily, so `peerlab torrent info` does not
 * pay for the dashboard server or WebRTC. `--verbose` anywhere turns on every part's debug log (the
 * environment variable PEERLAB_DEBUG=kademlia,live turns on chosen parts; src/core/log.ts).
 */
import { enableDebug } from '../core/index.js';

interface Command {
  summary: string;
  load: () => Promise<{ main: (argv: string[]) => Promise<number> }>;
}

const commands: Record<string, Command> = {
  run: { summary: 'run a scenario and write summary.json, CSV series and report.html', load: () => import('./run.js') },
  sweep: { summary: 'run a scenario over a grid of parameters and seeds, in parallel', load: () => import('./sweep.js') },
  compare: { summary: 'the headline report: gossip vs Kademlia vs BitTorrent', load: () => import('./compare.js') },
  bench: { summary: 'benchmarks, each a file in resources/bench (engine, gossip, kademlia, ...); JSON on the last line', load: () => import('./bench.js') },
  torrent: { summary: 'create or inspect .torrent files (create, info)', load: () => import('./torrent.js') },
  serve: { summary: 'serve the dashboard and LabHost over WebSocket on 127.0.0.1', load: () => import('./serve.js') },
  signal: { summary: 'run a standalone y-webrtc-compatible signaling server', load: () => import('./signal.js') },
};

export function usage(): string {
  const lines = ['usage: peerlab <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', "run 'peerlab <command> --help' for a command's options", 'PEERLAB_DEBUG=kademlia,live (or --verbose: all) prints those parts\' debug log on stderr');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--verbose')) {
    enableDebug('*');
    argv = argv.filter((a) => a !== '--verbose');
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version') {
    console.log('peerlab 0.1.0');
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`peerlab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await cmd.load();
  return mod.main(rest);
}
