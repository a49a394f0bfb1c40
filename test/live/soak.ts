/**
 * What the soak tests of the real servers share: the resident memory of a process, WebSocket clients kept
 * in a list so the test can cut them all at the end, and stopping the server.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/** Resident MB of a process (0 once it is gone: the test then fails on its exit, not here). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Opens a client, kept in `sockets`; rejects with the HTTP status if the upgrade is refused, or if it closes first. */
export function openSocket(url: string, sockets: WebSocket[]): Promise<WebSocket> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url);
    sockets.push(ws);
    ws.on('error', () => {});
    ws.once('open', () => res(ws));
    ws.once('unexpected-response', (_q, r) => rej(new Error(`HTTP ${r.statusCode}`)));
    ws.once('close', () => rej(new Error('closed before open')));
  });
}

/** Cuts every client and stops the server (SIGTERM), waiting for it to exit. */
export async function stopSoak(proc: ChildProcess | null, sockets: WebSocket[]): Promise<void> {
  for (const s of sockets) s.terminate();
  if (proc && proc.exitCode === null) {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
}
