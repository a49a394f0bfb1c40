/**
 * `peerlab serve [--port N]`: the dashboard in a browser. Serves the built renderer and LabHost over
 * WebSocket on 127.0.0.1 (never other interfaces), building the renderer first if it is missing.
 * `npm start` ends up here too when Electron cannot run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHost } from '../host/index.js';
import { serveHost } from '../host/ws-server.js';

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

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '5173' },
        scenario: { type: 'string' },
        'max-peers': { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`peerlab serve: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`peerlab serve: --port: expected an integer in [0, 65535], got '${values.port}'`);
    return 2;
  }
  const maxPeers = values['max-peers'] === undefined ? 1000 : Number(values['max-peers']);
  if (!Number.isInteger(maxPeers) || maxPeers < 1 || maxPeers > 20000) {
    console.error(`peerlab serve: --max-peers: expected an integer in [1, 20000], got '${values['max-peers']}'`);
    return 2;
  }
  if (!values['no-build']) {
    const err = ensureRendererBuilt();
    if (err) console.error(`peerlab serve: ${err}; serving the WebSocket only`);
  }
  const staticDir = join(repoRoot, 'out', 'renderer');
  const host = createHost({
    scenariosDir: join(repoRoot, 'resources', 'scenarios'),
    ...(values.scenario !== undefined ? { defaultScenario: values.scenario } : {}),
    maxPeers,
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
  const st = host.lab.state();
  console.log(`peerlab serve: ${running.url}  (LabHost WebSocket ${running.wsUrl})`);
  console.log(st.scenario ? `peerlab serve: opened scenario '${st.scenario}' (${st.peers} peers, ${st.protocol})` : 'peerlab serve: no scenario opened (lab.load one)');
  console.log('peerlab serve: Ctrl+C stops');

  return new Promise<number>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void host.close().then(() => running.close()).then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
