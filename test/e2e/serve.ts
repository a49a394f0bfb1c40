/**
 * Starts a real `peerlab serve --port 0` (the same bin a user runs) and waits for the address it
 * prints. `stop()` ends that process (only it) and waits for its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Served {
  /** http://127.0.0.1:PORT/?token=... (the page to open: the host refuses a WebSocket without its token) */
  url: string;
  /** ws://127.0.0.1:PORT/host?token=... */
  wsUrl: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  proc: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export async function startServe(args: string[] = [], timeoutMs = 60_000): Promise<Served> {
  const root = process.cwd();
  const proc = spawn(process.execPath, [join(root, 'bin/peerlab.mjs'), 'serve', '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  let token = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peerlab serve printed no address within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: string): void => {
      out += chunk;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        token = m[2]!;
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peerlab serve exited (${code}) before printing an address:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    wsUrl: `ws://127.0.0.1:${port}/host?token=${token}`,
    origin: `http://127.0.0.1:${port}`,
    port,
    proc,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}
