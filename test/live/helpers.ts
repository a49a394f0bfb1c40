import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PeerProcess, type PeerProcessOptions } from '../../src/live/peer-process-client.js';
import { SignalingServer, type SignalingOptions } from '../../src/live/signaling/server.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tmpDir(prefix = 'peerlab-live-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A signaling server listening on loopback; `cleanup` gets its close. */
export async function startSignaling(cleanup: (() => Promise<void>)[], opts: SignalingOptions = {}): Promise<SignalingServer> {
  const sig = new SignalingServer(opts);
  await sig.listen();
  cleanup.push(() => sig.close());
  return sig;
}

export async function spawnPeers(n: number, opts: (i: number) => PeerProcessOptions): Promise<PeerProcess[]> {
  const peers = Array.from({ length: n }, (_, i) => new PeerProcess(opts(i)));
  await Promise.all(peers.map((p) => p.ready));
  return peers;
}

/** Polls `f` every `everyMs` until it gives something truthy, and returns that; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, f: () => T | Promise<T>, everyMs = 100): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
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
    if (texts.every((t) => t === texts[0])) return texts[0]!;
    await sleep(200);
  }
  throw new Error(
    `${label} replicas did not converge on '${doc}' in ${timeoutMs} ms:\n${texts.map((t, i) => `  #${i} (${t.length}) ${t.slice(0, 80)}`).join('\n')}`,
  );
}

/** A replica whose edits carry stamps (edits.ts): one mark per edit, 'origin:seq:wallMs'. */
export interface MarkedReplica extends Replica {
  stamps(doc: string): Promise<string[]>;
}

/** Adds to `made` the marks of the edits `origin` made, as its own replica holds them. */
export async function collectMarks(made: Set<string>, replica: MarkedReplica, origin: number, doc: string): Promise<void> {
  for (const s of await replica.stamps(doc)) if (s.startsWith(`${origin}:`)) made.add(s);
}

/**
 * Polls until every replica holds the same text of `doc` and every mark in `made` (each peer's own edits
 * arrived everywhere, not merely the same text), within `boundMs`; returns the text and the time taken.
 * On timeout the error says which replica lacks how many marks.
 */
export async function convergeMarked(
  replicas: MarkedReplica[],
  doc: string,
  made: ReadonlySet<string>,
  boundMs: number,
  label = '',
): Promise<{ text: string; ms: number }> {
  const t0 = Date.now();
  let report = '';
  while (Date.now() - t0 < boundMs) {
    const [texts, marks] = await Promise.all([Promise.all(replicas.map((r) => r.text(doc))), Promise.all(replicas.map((r) => r.stamps(doc)))]);
    const missing = marks.map((m) => {
      const have = new Set(m);
      return [...made].filter((s) => !have.has(s));
    });
    if (texts.every((t) => t === texts[0]) && missing.every((m) => m.length === 0)) return { text: texts[0]!, ms: Date.now() - t0 };
    report = replicas
      .map((_, i) => `  #${i} (${texts[i]!.length} chars) lacks ${missing[i]!.length} of ${made.size} marks${missing[i]!.length ? ` (e.g. ${missing[i]![0]})` : ''}: ${texts[i]!.slice(0, 60)}`)
      .join('\n');
    await sleep(200);
  }
  throw new Error(`${label}: replicas did not converge on '${doc}' with every peer's marked edits within ${boundMs} ms:\n${report}`);
}
