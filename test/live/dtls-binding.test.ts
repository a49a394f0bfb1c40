/**
 * A relaying man in the middle, over real WebRTC (node-datachannel, loopback): a signaling server that
 * answers every offer between two peers itself and makes its own connection to the other peer with the
 * same negotiation nonce, then splices the two data channels byte for byte. Each peer's KEY proof names
 * the right room, both peer ids and the nonce, so without more the two would each prove the other's key
 * across the splice and trust a link the middle reads and can cut at will. The proof also signs the
 * connection's DTLS certificate fingerprints (src/live/dtls-fingerprint.ts): each peer sees the middle's
 * certificate as the far end's, so the relayed proof is refused (`keysRelayed`), neither trusts the
 * link and nothing of the room crosses. Two peers of another room on the same server, left alone by it, link and sync as usual.
 */
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { Link } from '../../src/live/link.js';
import { OverlayRoom } from '../../src/live/overlay/room.js';
import { nodeWrtc } from '../../src/live/rtc-node.js';
import { createPeerKeys } from '../../src/live/trust-keys.js';
import { sleep, until } from './helpers.js';

const cleanup: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Signal {
  type: 'signal';
  from: string;
  to: string;
  sig: { kind: string; nonce: string; sdp: string; link: string };
}

/** One spliced negotiation: the middle's connection facing the offerer and the one facing the answerer. */
interface Splice {
  offerer: string;
  answerer: string;
  nonce: string;
  toOfferer: Link;
  toAnswerer: Link;
}

/**
 * A y-webrtc-protocol signaling server (subscribe / publish / ping) that relays everything, except the
 * negotiations on `topic`: those it splices.
 */
class MiddleServer {
  readonly wss: WebSocketServer;
  private readonly subscribers = new Map<string, Set<WebSocket>>();
  /** Which socket each peer id publishes from (to deliver a forged step to that peer only). */
  private readonly sockets = new Map<string, WebSocket>();
  private readonly splices = new Map<string, Splice>();
  readonly relayed = { toAnswerer: 0, toOfferer: 0 };
  spliced = 0;
  private readonly wrtc = nodeWrtc();

  constructor(private readonly topic: string) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (ws) => {
      ws.on('message', (raw) => this.onMessage(ws, String(raw)));
      ws.on('close', () => {
        for (const s of this.subscribers.values()) s.delete(ws);
      });
    });
  }

  get url(): string {
    const a = this.wss.address();
    return `ws://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  private onMessage(ws: WebSocket, raw: string): void {
    const m = JSON.parse(raw) as { type: string; topics?: string[]; topic?: string; data?: unknown };
    if (m.type === 'subscribe') for (const t of m.topics ?? []) this.subscribers.set(t, (this.subscribers.get(t) ?? new Set()).add(ws));
    else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    else if (m.type === 'publish' && typeof m.topic === 'string') {
      const d = m.data as Partial<Signal> | undefined;
      if (m.topic === this.topic && typeof d?.from === 'string') this.sockets.set(d.from, ws);
      if (m.topic === this.topic && d?.type === 'signal') return this.intercept(d as Signal);
      for (const s of this.subscribers.get(m.topic) ?? []) s.send(raw);
    }
  }

  /** Delivers a signaling message to one peer only. */
  private deliver(to: string, data: Signal): void {
    this.sockets.get(to)?.send(JSON.stringify({ type: 'publish', topic: this.topic, data }));
  }

  private intercept(s: Signal): void {
    const { kind, nonce, sdp, link } = s.sig;
    if (kind === 'offer') return this.splice(s.from, s.to, nonce, sdp, link);
    const sp = this.splices.get(nonce);
    if (!sp) return this.deliver(s.to, s); // 'busy' for a negotiation we never saw
    if (kind === 'answer' && s.from === sp.answerer) void sp.toAnswerer.signal({ type: 'answer', sdp, nonce: sp.toAnswerer.nonce });
    else if (kind === 'candidates' && s.from === sp.offerer) void sp.toOfferer.signal({ type: 'candidates', sdp, nonce });
    else this.deliver(s.to, s);
  }

  /** Answers `offerer`'s offer with a connection of our own, and offers `answerer` another one under the same nonce. */
  private splice(offerer: string, answerer: string, nonce: string, sdp: string, link: string): void {
    if (this.splices.has(nonce)) return;
    const sig = (from: string, to: string, kind: string, body: string): Signal => ({ type: 'signal', from, to, sig: { kind, nonce, sdp: body, link } });
    const toOfferer = new Link({
      RTCPeerConnection: this.wrtc.RTCPeerConnection,
      initiator: false,
      sendSignal: (d) => {
        if (d.type === 'answer') this.deliver(offerer, sig(answerer, offerer, 'answer', d.sdp));
      },
    });
    const toAnswerer = new Link({
      RTCPeerConnection: this.wrtc.RTCPeerConnection,
      initiator: true,
      sendSignal: (d) => {
        if (d.type === 'offer' || d.type === 'candidates') this.deliver(answerer, sig(offerer, answerer, d.type, d.sdp));
      },
    });
    const sp: Splice = { offerer, answerer, nonce, toOfferer, toAnswerer };
    this.splices.set(nonce, sp);
    // channel messages pass as they are, each way, once both ends are open (what comes first waits)
    const pipe = (from: Link, to: Link, count: 'toAnswerer' | 'toOfferer'): void => {
      const waiting: Uint8Array[] = [];
      from.onmessage = (b) => {
        this.relayed[count]++;
        if (to.open) to.send(b);
        else waiting.push(b);
      };
      const opened = to.onopen;
      to.onopen = () => {
        opened();
        for (const b of waiting.splice(0)) to.send(b);
        if (from.open && to.open) this.spliced++;
      };
      from.onclose = () => to.close('remote');
    };
    pipe(toOfferer, toAnswerer, 'toAnswerer');
    pipe(toAnswerer, toOfferer, 'toOfferer');
    void toOfferer.signal({ type: 'offer', sdp, nonce });
  }

  close(): void {
    for (const sp of this.splices.values()) {
      sp.toOfferer.close('local');
      sp.toAnswerer.close('local');
    }
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}

async function trustedRoom(room: string, url: string, seed: number): Promise<OverlayRoom> {
  const keys = await createPeerKeys();
  const r = new OverlayRoom({ room, signaling: url, RTCPeerConnection: nodeWrtc().RTCPeerConnection, WebSocket: WebSocket as never, trust: { crypto: keys }, seed });
  cleanup.push(() => r.close(false));
  return r;
}

describe('KEY proofs bound to the DTLS certificates (real WebRTC)', () => {
  it('a man in the middle that splices two connections under one nonce gets both proofs refused; a room it leaves alone links', async () => {
    const middle = new MiddleServer('peerlab-sync/spliced');
    await new Promise<void>((done) => middle.wss.once('listening', () => done()));
    cleanup.push(() => middle.close());
    const [a, b] = [await trustedRoom('spliced', middle.url, 1), await trustedRoom('spliced', middle.url, 2)];
    const [c, d] = [await trustedRoom('clear', middle.url, 3), await trustedRoom('clear', middle.url, 4)];
    const docs = [a, b, c, d].map((r) => r.openDoc('main').doc as Y.Doc);

    // the splice happens: both of the middle's connections open and it relays what a side sends first (its KEY)
    await until('the middle splices a connection of a and b', 30_000, () => middle.spliced > 0 && middle.relayed.toAnswerer + middle.relayed.toOfferer > 0);
    const ta = a.peer.trust!;
    const tb = b.peer.trust!;
    // the first to read the other's relayed proof refuses it and closes: the other may never read one (its
    // own proof may still be signing then), so it is the pair that counts
    await until('a or b refuses a relayed proof', 20_000, () => ta.stats.keysRelayed + tb.stats.keysRelayed > 0);
    expect(ta.stats.keysProved).toBe(0);
    expect(tb.stats.keysProved).toBe(0);
    expect(ta.trusted(b.id)).toBeUndefined();
    expect(tb.trusted(a.id)).toBeUndefined();
    docs[0]!.getText('text').insert(0, 'from a ');
    docs[1]!.getText('text').insert(0, 'from b ');

    // the room the middle only relays signaling for: keys proved both ways, and it syncs
    await until('c and d trust their link', 30_000, () => c.peer.trust!.trusted(d.id) && d.peer.trust!.trusted(c.id));
    docs[2]!.getText('text').insert(0, 'from c ');
    await until('d gets c\'s edit', 20_000, () => docs[3]!.getText('text').toString().includes('from c'));
    expect(c.peer.trust!.stats.keysRelayed + d.peer.trust!.stats.keysRelayed).toBe(0);

    // nothing of a's reached b through the middle, nor b's a
    await sleep(1000);
    expect(docs[1]!.getText('text').toString()).not.toContain('from a');
    expect(docs[0]!.getText('text').toString()).not.toContain('from b');
    expect(ta.stats.keysProved + tb.stats.keysProved).toBe(0);
  }, 120_000);
});
