/**
 * Client side of the y-webrtc signaling protocol, for peerlab's overlay provider: one WebSocket,
 * topics, JSON publish, optional y-webrtc-compatible encryption per topic, reconnect with backoff.
 * Works in the browser (global WebSocket) and Node (pass the `ws` class).
 */
import { decryptJson, deriveKey, encryptJson } from './crypto.js';

export type WebSocketCtor = new (url: string) => WebSocket;

export interface SignalingClientOptions {
  WebSocket?: WebSocketCtor;
  /** Largest accepted incoming message (characters). Default 256 KiB. */
  maxMessageChars?: number;
}

type Handler = (data: unknown) => void;

export class SignalingClient {
  private ws: WebSocket | null = null;
  private readonly handlers = new Map<string, Handler>();
  private readonly keys = new Map<string, Promise<CryptoKey | null>>();
  private closed = false;
  private backoff = 100;
  private readonly Ctor: WebSocketCtor;
  private readonly maxChars: number;
  private onConnectCbs: (() => void)[] = [];
  connected = false;

  constructor(
    readonly url: string,
    opts: SignalingClientOptions = {},
  ) {
    const Ctor = opts.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketCtor | undefined);
    if (!Ctor) throw new Error('SignalingClient: no WebSocket implementation (pass opts.WebSocket in Node)');
    this.Ctor = Ctor;
    this.maxChars = opts.maxMessageChars ?? 256 * 1024;
    this.connect();
  }

  /** Called on every (re)connect, after topics are re-subscribed. */
  onConnect(cb: () => void): void {
    this.onConnectCbs.push(cb);
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new this.Ctor(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.connected = true;
      this.backoff = 100;
      if (this.handlers.size > 0) this.raw({ type: 'subscribe', topics: [...this.handlers.keys()] });
      for (const cb of this.onConnectCbs) cb();
    };
    ws.onmessage = (ev: MessageEvent) => {
      const s = typeof ev.data === 'string' ? ev.data : String(ev.data);
      if (s.length > this.maxChars) return;
      let m: { type?: unknown; topic?: unknown; data?: unknown };
      try {
        m = JSON.parse(s);
      } catch {
        return;
      }
      if (m?.type !== 'publish' || typeof m.topic !== 'string') return;
      const h = this.handlers.get(m.topic);
      if (!h) return;
      const key = this.keys.get(m.topic);
      if (!key) return;
      void key.then(async (k) => {
        const data = k ? await decryptJson(m.data, k) : m.data;
        if (data !== null && data !== undefined) h(data);
      });
    };
    ws.onclose = () => {
      this.connected = false;
      if (this.ws === ws) this.ws = null;
      if (this.closed) return;
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 5000);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private raw(m: unknown): void {
    if (this.ws && this.connected) this.ws.send(JSON.stringify(m));
  }

  subscribe(topic: string, password: string | null, handler: Handler): void {
    this.handlers.set(topic, handler);
    this.keys.set(topic, password ? deriveKey(password, topic) : Promise.resolve(null));
    this.raw({ type: 'subscribe', topics: [topic] });
  }

  unsubscribe(topic: string): void {
    this.handlers.delete(topic);
    this.keys.delete(topic);
    this.raw({ type: 'unsubscribe', topics: [topic] });
  }

  async publish(topic: string, data: unknown): Promise<void> {
    const key = await (this.keys.get(topic) ?? Promise.resolve(null));
    this.raw({ type: 'publish', topic, data: key ? await encryptJson(data, key) : data });
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
    this.ws = null;
    this.connected = false;
  }
}
