/**
 * A signaling server speaking y-webrtc's protocol (JSON over WebSocket):
 *   {type:'subscribe', topics:[...]}, {type:'unsubscribe', topics:[...]},
 *   {type:'publish', topic, ...} -> forwarded to every subscriber of `topic` (sender included) with
 *   `clients` set to the subscriber count, {type:'ping'} -> {type:'pong'}.
 * So a stock y-webrtc WebrtcProvider can use it, and peerlab's overlay provider publishes its own
 * message types on its own topics through the same server.
 *
 * Differences from y-webrtc's bin/server.js, all because clients are untrusted: it binds 127.0.0.1 unless
 * told otherwise; bounds message size and nesting, topics per connection, topic length and connections;
 * a malformed message closes that one connection (counted) instead of throwing in the server; and each
 * connection's unsent data is bounded: a subscriber that does not read (its send buffer past
 * `maxBufferedBytes`) is dropped, so the server's memory stays bounded however fast others publish
 * (5 subscribers that never read and one publisher of 3,000 x 200 KB took it from 90 to 724 MB and on).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { readFrame, type FrameLimits } from './frame.js';

export interface SignalingOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Largest accepted message in bytes. Default 256 KiB (a password-encrypted SDP is ~4 KiB). */
  maxMessageBytes?: number;
  /** Topics one connection may hold. Default 256. */
  maxTopicsPerConn?: number;
  /** Longest topic name. Default 512 characters. */
  maxTopicLength?: number;
  /** Simultaneous connections. Default 1024. */
  maxConnections?: number;
  /** Ping interval; a connection that missed a pong is closed. Default 30 s. */
  pingIntervalMs?: number;
  /** Deepest JSON nesting accepted in a message. Default 32 (y-webrtc's messages nest 3 deep). */
  maxDepth?: number;
  /** Unsent bytes one connection may have queued; a subscriber past it is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /**
   * Bytes per second one connection may send us, on average (bursts up to `burstBytes`); past it we stop
   * reading from it for a while (TCP pushes back on the sender), so one flooding publisher cannot outrun
   * the subscribers that do read. Default 1 MiB/s (a y-webrtc peer sends a few KB per link it opens).
   */
  maxBytesPerSecond?: number;
  /** Default 2 MiB. */
  burstBytes?: number;
}

export interface SignalingStats {
  connections: number;
  topics: number;
  published: number;
  delivered: number;
  /** Connections closed for sending something malformed or oversize. */
  rejected: number;
  /** Subscribers dropped for not reading (their send buffer past maxBufferedBytes). */
  dropped: number;
}

export class SignalingServer {
  readonly stats: SignalingStats = { connections: 0, topics: 0, published: 0, delivered: 0, rejected: 0, dropped: 0 };
  private readonly topics = new Map<string, Set<WebSocket>>();
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly opts: Required<SignalingOptions>;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly limits: FrameLimits;

  constructor(opts: SignalingOptions = {}) {
    this.opts = {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      maxMessageBytes: opts.maxMessageBytes ?? 256 * 1024,
      maxTopicsPerConn: opts.maxTopicsPerConn ?? 256,
      maxTopicLength: opts.maxTopicLength ?? 512,
      maxConnections: opts.maxConnections ?? 1024,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      maxDepth: opts.maxDepth ?? 32,
      maxBufferedBytes: opts.maxBufferedBytes ?? 1024 * 1024,
      maxBytesPerSecond: opts.maxBytesPerSecond ?? 1024 * 1024,
      burstBytes: opts.burstBytes ?? 2 * 1024 * 1024,
    };
    this.limits = { maxDepth: this.opts.maxDepth, maxTopics: this.opts.maxTopicsPerConn, maxTopicLength: this.opts.maxTopicLength };
    this.http = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('peerlab signaling (y-webrtc protocol)\n');
    });
    this.wss = new WebSocketServer({ server: this.http, maxPayload: this.opts.maxMessageBytes });
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  /** Starts listening; resolves to the ws:// URL clients should use. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.pingTimer = setInterval(() => this.pingAll(), this.opts.pingIntervalMs);
    this.pingTimer.unref?.();
    return this.url;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `ws://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private pingAll(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }

  private reject(ws: WebSocket, why: string): void {
    this.stats.rejected++;
    ws.close(1008, why.slice(0, 120));
  }

  /** Sends unless that would put the receiver past its buffer bound; a receiver past it is dropped. */
  private deliver(r: WebSocket, out: string): void {
    if (r.readyState !== r.OPEN) return;
    if (r.bufferedAmount + out.length > this.opts.maxBufferedBytes) {
      this.stats.dropped++;
      r.terminate();
      return;
    }
    r.send(out);
    this.stats.delivered++;
  }

  private onConnection(ws: WebSocket): void {
    if (this.wss.clients.size > this.opts.maxConnections) {
      ws.close(1013, 'too many connections');
      return;
    }
    this.stats.connections++;
    const mine = new Set<string>();
    this.alive.set(ws, true);
    // token bucket of inbound bytes: over budget, reading pauses until the budget is back
    let tokens = this.opts.burstBytes;
    let refilled = performance.now();
    let resumeTimer: ReturnType<typeof setTimeout> | null = null;
    ws.on('pong', () => this.alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.stats.connections--;
      if (resumeTimer) clearTimeout(resumeTimer);
      for (const t of mine) this.leave(t, ws);
      mine.clear();
    });
    ws.on('message', (raw, isBinary) => {
      const text = isBinary ? Buffer.from(raw as Buffer).toString('utf8') : raw.toString();
      const now = performance.now();
      tokens = Math.min(this.opts.burstBytes, tokens + ((now - refilled) * this.opts.maxBytesPerSecond) / 1000);
      refilled = now;
      tokens -= text.length;
      if (tokens < 0 && !resumeTimer) {
        ws.pause();
        resumeTimer = setTimeout(() => {
          resumeTimer = null;
          ws.resume();
        }, Math.ceil((-tokens * 1000) / this.opts.maxBytesPerSecond));
      }
      try {
        this.onMessage(ws, mine, text);
      } catch (e) {
        // a bug of ours must cost that one connection, never the server and every room on it
        this.reject(ws, `internal error: ${(e as Error).message}`);
      }
    });
  }

  private onMessage(ws: WebSocket, mine: Set<string>, text: string): void {
    const f = readFrame(text, this.limits);
    if ('error' in f) {
      this.reject(ws, f.error);
      return;
    }
    switch (f.type) {
      case 'subscribe':
        for (const t of f.topics) {
          if (mine.has(t)) continue;
          if (mine.size >= this.opts.maxTopicsPerConn) {
            this.reject(ws, 'too many topics');
            return;
          }
          let subs = this.topics.get(t);
          if (!subs) {
            subs = new Set();
            this.topics.set(t, subs);
            this.stats.topics++;
          }
          subs.add(ws);
          mine.add(t);
        }
        break;
      case 'unsubscribe':
        for (const t of f.topics) if (mine.delete(t)) this.leave(t, ws);
        break;
      case 'publish': {
        this.stats.published++;
        const receivers = this.topics.get(f.topic);
        if (!receivers) return;
        f.message.clients = receivers.size;
        const out = JSON.stringify(f.message);
        for (const r of [...receivers]) this.deliver(r, out);
        break;
      }
      case 'ping':
        this.deliver(ws, '{"type":"pong"}');
        break;
      case 'ignored':
        // y-webrtc's server ignores unknown types; so do we (forward compatibility), but they cost nothing.
        break;
    }
  }

  private leave(topic: string, ws: WebSocket): void {
    const subs = this.topics.get(topic);
    if (!subs) return;
    subs.delete(ws);
    if (subs.size === 0) {
      this.topics.delete(topic);
      this.stats.topics--;
    }
  }
}

/** Starts a signaling server and returns it, listening. */
export async function startSignaling(opts: SignalingOptions = {}): Promise<SignalingServer> {
  const s = new SignalingServer(opts);
  await s.listen();
  return s;
}
