/**
 * `peerlab serve [--port N]`: the dashboard in a browser. Serves the built renderer and LabHost over
 * WebSocket on 127.0.0.1 (never other interfaces), building the renderer first if it is missing.
 * `npm start` ends up here too when Electron cannot run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHost, type LabState } from '../host/index.js';
import { serveHost } from '../host/ws-server.js';
import { Command, untilStopped } from './args.js';

const USAGE = `usage: peerlab serve [--port N] [--scenario NAME] [--max-peers N] [--no-build]

  --port N         port on 127.0.0.1 (default 5173; 0 picks a free one)
  --scenario NAME  bundled scenario to open (default gossip-small; see resources/scenarios/)
  --max-peers N    peers drawn per snapshot at most (default 1000)
  --no-build       do not build the renderer if out/renderer is missing`;

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Builds the renderer with electron-vite if its index.html is not there. Returns an error message or null. */
export function ensureRendererBuilt(root = repoRoot, log: (m: string) => void = console.log): string | null {
  const index = join(root, 'out', 'renderer', 'index.html');
  if (existsSync(index)) return null;
  log('peerlab: building the renderer (electron-vite build) ...');
  const bin = join(root, 'node_modules', '.bin', 'electron-vite');
  const r = spawnSync(bin, ['build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(index)) return `renderer build failed (exit ${r.status ?? r.signal}); run npm run build to see why`;
  return null;
}

const cmd = new Command('serve', USAGE);

export async function main(argv: string[]): Promise<number> {
  const parsed = cmd.parse(argv, {
    port: { type: 'string', default: '5173' },
    scenario: { type: 'string' },
    'max-peers': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const port = cmd.int('port', values.port, 0, 65535);
  const maxPeers = cmd.int('max-peers', values['max-peers'], 1, 20000);
  if (port === null || port === undefined || maxPeers === null) return 2;
  if (!values['no-build']) {
    const err = ensureRendererBuilt();
    if (err) console.error(`peerlab serve: ${err}; serving the WebSocket only`);
  }
  const staticDir = join(repoRoot, 'out', 'renderer');
  const host = createHost({
    scenariosDir: join(repoRoot, 'resources', 'scenarios'),
    ...(values.scenario !== undefined ? { defaultScenario: values.scenario } : {}),
    maxPeers: maxPeers ?? 1000,
    log: (m) => console.error(m),
  });
  let running;
  try {
    running = await serveHost({ host, port, staticDir: existsSync(join(staticDir, 'index.html')) ? staticDir : null });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(`peerlab serve: cannot listen on 127.0.0.1:${port}: ${e.code === 'EADDRINUSE' ? 'port in use (try --port 0)' : e.message}`);
    await host.close();
    return 1;
  }
  // listen for Ctrl+C before saying we are up: whoever reads the address may signal us at once
  const stopped = untilStopped();
  await host.ready;
  const st = (await host.lab.call('lab.state')) as LabState;
  console.log(`peerlab serve: ${running.url}  (LabHost WebSocket ${running.wsUrl})`);
  console.log(st.scenario ? `peerlab serve: opened scenario '${st.scenario}' (${st.peers} peers, ${st.protocol})` : 'peerlab serve: no scenario opened (lab.load one)');
  console.log('peerlab serve: Ctrl+C stops');

  await stopped;
  await host.close();
  await running.close();
  return 0;
}
