import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PeerProcess, type PeerProcessOptions } from '../../src/live/peer-process-client.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tmpDir(prefix = 'peerlab-live-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function spawnPeers(n: number, opts: (i: number) => PeerProcessOptions): Promise<PeerProcess[]> {
  const peers = Array.from({ length: n }, (_, i) => new PeerProcess(opts(i)));
  await Promise.all(peers.map((p) => p.ready));
  return peers;
}

export interface Replica {
  text(doc: string): Promise<string>;
}

/** Polls until every replica holds the same text of `doc`; returns it (or throws with all texts). */
export async function converge(replicas: Replica[], doc: string, timeoutMs: number, label = ''): Promise<string> {
  const t0 = Date.now();
  let texts: string[] = [];
  while (Date.now() - t0 < timeoutMs) {
    texts = await Promise.all(replicas.map((r) => r.text(doc)));
    if (texts.every((t) => t === texts[0])) return texts[0] as string;
    await sleep(200);
  }
  throw new Error(
    `${label} replicas did not converge on '${doc}' in ${timeoutMs} ms:\n${texts.map((t, i) => `  #${i} (${t.length}) ${t.slice(0, 80)}`).join('\n')}`,
  );
}
