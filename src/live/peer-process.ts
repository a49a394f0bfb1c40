/**
 * Entry point of a Node peer running in its own process (forked by PeerProcess with an IPC channel).
 * One process per peer: y-webrtc allows one provider per room per JS context, and a real process can be
 * killed with SIGKILL to test persistence. Its config (LivePeerOptions + docs) is the first IPC message,
 * `{ config }`: never on the command line, where any local user's `ps` would read the room password.
 * Commands arrive as IPC messages `{ id, cmd, ... }` and are answered `{ id, ok, result | error }`;
 * events go up as `{ ev, ... }`. Everything from the parent is validated like any other input.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { logger, Rng } from '../core/index.js';
import { observeStamps, randomEdit, stampKeys } from './edits.js';
import { LivePeer, type LivePeerOptions, type SyncMode } from './peer.js';
import { wallMs } from './overlay/room.js';
import { loadOrCreatePeerKeys } from './trust-key-file.js';
import { createPeerKeys, type PeerKeys } from './trust-keys.js';

interface Config extends LivePeerOptions {
  docs?: string[];
}

const send = (m: unknown) => process.send?.(m);

/**
 * y-webrtc's signaling handler takes the connection an 'answer' is for without checking that it still
 * exists (y-webrtc.js: `existingConn.glareToken = undefined`), so an answer arriving after that connection
 * was dropped (a partition, a heal, a silent connection dropped by RoomSync) throws out of the WebSocket's
 * message event — in Node that would end the whole peer (seen once in the partition test). That one error
 * is survived and reported; anything else still ends the process as Node would.
 */
let undecryptable = 0;
function survive(e: unknown): void {
  if (e instanceof TypeError && e.message.includes('glareToken') && (e.stack ?? '').includes('y-webrtc')) {
    send({ ev: 'warning', message: `y-webrtc: answer for a dropped connection ignored (${e.message})` });
    return;
  }
  // y-webrtc decrypts every signaling message of a password room without a catch: a message sealed with
  // another key (a stranger who knows the room name only) rejects with WebCrypto's OperationError. Our own
  // code catches its decryption failures (signaling/crypto.ts), so in this process that rejection can only
  // be y-webrtc's: the message is dropped (y-webrtc acts on nothing) and counted, and the peer lives.
  if (typeof DOMException !== 'undefined' && e instanceof DOMException && e.name === 'OperationError') {
    undecryptable++;
    if (undecryptable <= 3 || undecryptable % 100 === 0)
      send({ ev: 'warning', message: `y-webrtc: a signaling message that does not decrypt with the room key was dropped (${undecryptable} so far)` });
    return;
  }
  logger('live:peer-process').error('uncaught, exiting', e);
  process.exit(1);
}
process.on('uncaughtException', survive);
process.on('unhandledRejection', survive);

interface Started {
  peer: LivePeer;
  open(doc: string): void;
}
let started: Started | null = null;

/**
 * With trust, the peer's key pair: the one in its data directory (made there on first start, so a
 * restarted peer keeps its id), or one for this process only. The key never crosses the IPC channel.
 */
async function keysFor(cfg: Config): Promise<PeerKeys | undefined> {
  if (cfg.trust !== true) return undefined;
  const keys = cfg.dataDir ? await loadOrCreatePeerKeys(cfg.dataDir) : await createPeerKeys();
  if (cfg.peerId !== undefined && cfg.peerId !== keys.id) throw new Error(`peerId ${cfg.peerId} is not the id of the key in ${cfg.dataDir ?? 'this process'} (${keys.id})`);
  return keys;
}

async function start(cfg: Config): Promise<Started> {
  const keys = await keysFor(cfg);
  const peer = new LivePeer({ ...cfg, ...(keys ? { keys } : {}), onWarning: (m) => send({ ev: 'warning', message: m }) });
  const watched = new Set<string>();
  const open = (doc: string): void => {
    const d = peer.open(doc);
    if (!watched.has(doc)) {
      watched.add(doc);
      observeStamps(d, wallMs, (_o, ms) => {
        if (stampLatency.length < 1_000_000) stampLatency.push(ms);
      });
    }
  };
  for (const d of cfg.docs ?? []) open(d);
  return { peer, open };
}
const stampLatency: number[] = [];

let seq = 0;
async function edits({ peer, open }: Started, doc: string, seed: number, count: number, intervalMs: number, stamp: boolean, report: boolean): Promise<number> {
  open(doc);
  const d = peer.doc(doc);
  if (!d) throw new Error(`no document ${doc}`);
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    randomEdit(d, rng, peer.id, seq++, stamp, wallMs);
    // the update is in the log now (persistence appends synchronously on 'update')
    if (report) send({ ev: 'progress', doc, done: i + 1, clientID: d.clientID, clock: Y.getState(d.store, d.clientID) });
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  return count;
}

/** Appends `bytes` characters of seeded random text in `pieces` transactions (one update each). */
function fill({ peer, open }: Started, doc: string, bytes: number, pieces: number, seed: number): number {
  open(doc);
  const t = peer.doc(doc)?.getText('text');
  if (!t) throw new Error(`no document ${doc}`);
  const rng = new Rng(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz      \n';
  const per = Math.ceil(bytes / pieces);
  for (let done = 0; done < bytes; done += per) {
    const n = Math.min(per, bytes - done);
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
    t.insert(t.length, s);
  }
  return t.length;
}

type Cmd = Record<string, unknown> & { id: number; cmd: string };
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v.length > 256) throw new Error(`${what}: expected a string`);
  return v;
};
const num = (v: unknown, what: string, dflt?: number): number => {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: expected a number`);
  return v;
};

async function handle(st: Started, m: Cmd): Promise<unknown> {
  const { peer, open } = st;
  switch (m.cmd) {
    case 'open':
      open(str(m.doc, 'doc'));
      return true;
    case 'edits':
      return edits(
        st,
        str(m.doc, 'doc'),
        num(m.seed, 'seed'),
        num(m.count, 'count'),
        num(m.intervalMs, 'intervalMs', 0),
        m.stamp === true,
        m.report === true,
      );
    case 'insert': {
      open(str(m.doc, 'doc'));
      const t = peer.doc(m.doc as string)?.getText('text');
      if (!t) return false;
      t.insert(Math.min(num(m.index, 'index', t.length), t.length), str(m.text, 'text'));
      return true;
    }
    case 'text':
      return peer.text(str(m.doc, 'doc'));
    case 'stamps': {
      // the marks of stamped edits this replica holds ('origin:seq:wallMs'): tests check every peer's edits arrived
      const d = peer.doc(str(m.doc, 'doc'));
      return d ? stampKeys(d) : [];
    }
    case 'fill': {
      const bytes = num(m.bytes, 'bytes');
      const pieces = num(m.pieces, 'pieces', 1);
      if (bytes < 1 || bytes > 64 * 1024 * 1024) throw new Error('bytes: expected 1..64 MiB');
      if (!Number.isInteger(pieces) || pieces < 1 || pieces > 4096) throw new Error('pieces: expected an integer in 1..4096');
      return fill(st, str(m.doc, 'doc'), bytes, pieces, num(m.seed, 'seed', 1));
    }
    case 'digest': {
      // a big document's identity without shipping its text over IPC
      const text = peer.text(str(m.doc, 'doc'));
      return { length: text.length, sha256: createHash('sha256').update(text).digest('hex') };
    }
    case 'state':
      return { ...peer.state(), signalingDropped: undecryptable };
    case 'block':
      if (!Array.isArray(m.peers) || !m.peers.every((p) => typeof p === 'number')) throw new Error('peers: expected numbers');
      peer.block(m.peers as number[]);
      return true;
    case 'unblock':
      peer.unblock();
      return true;
    case 'mode':
      if (m.mode !== 'overlay' && m.mode !== 'ywebrtc') throw new Error("mode: expected 'overlay' or 'ywebrtc'");
      peer.setMode(m.mode as SyncMode);
      return true;
    case 'latency':
      return stampLatency.splice(0);
    case 'close':
      peer.close(true);
      setTimeout(() => process.exit(0), 100);
      return true;
    default:
      throw new Error(`unknown command ${m.cmd}`);
  }
}

let starting = false;
process.on('message', (raw) => {
  const m = raw as Cmd;
  if (typeof m !== 'object' || m === null) return;
  if (!started) {
    // the first message is the config; anything before it (or while it starts) is ignored
    const cfg = (m as { config?: unknown }).config;
    if (starting || typeof cfg !== 'object' || cfg === null) return;
    starting = true;
    start(cfg as Config).then(
      (st) => {
        started = st;
        send({ ev: 'ready', id: st.peer.id, name: st.peer.name });
      },
      (e: Error) => {
        send({ ev: 'failed', message: e.message });
        process.exit(2);
      },
    );
    return;
  }
  if (typeof m.id !== 'number' || typeof m.cmd !== 'string') return;
  const st = started;
  handle(st, m).then(
    (result) => send({ id: m.id, ok: true, result }),
    (e: Error) => send({ id: m.id, ok: false, error: e.message }),
  );
});
process.on('disconnect', () => {
  started?.peer.close(false);
  process.exit(0);
});
