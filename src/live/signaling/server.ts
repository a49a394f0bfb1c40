/**
 * A signaling server speaking y-webrtc's protocol (JSON over WebSocket):
 *   {type:'subscribe', topics:[...]}, {type:'unsubscribe', topics:[...]},
 *   {type:'publish', topic, ...} -> forwarded to every subscriber of `topic` (sender included) with
 *   `clients` set to the subscriber count, {type:'ping'} -> {type:'pong'}.
 * So a stock y-webrtc WebrtcProvider can use it, and peerlab's overlay provider publishes its own
 * message types on its own topics through the same server.
 *
 * Differences from y-webrtc's bin/server.js, all because clients are untrusted: it binds 127.0.0.1 unless
 * told otherwise, bounds message size, topics per connection, topic length and connections, and a
 * malformed message closes that one connection (counted) instead of throwing in the server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

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
}

export interface SignalingStats {
  connections: number;
  topics: number;
  published: number;
  delivered: number;
  /** Connections closed for sending something malformed or oversize. */
  rejected: number;
}

export class SignalingServer {
  readonly stats: SignalingStats = { connections: 0, topics: 0, published: 0, delivered: 0, rejected: 0 };
  private readonly topics = new Map<string, Set<WebSocket>>();
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly opts: Required<SignalingOptions>;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  constructor(opts: SignalingOptions = {}) {
    this.opts = {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      maxMessageBytes: opts.maxMessageBytes ?? 256 * 1024,
      maxTopicsPerConn: opts.maxTopicsPerConn ?? 256,
      maxTopicLength: opts.maxTopicLength ?? 512,
      maxConnections: opts.maxConnections ?? 1024,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
    };
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

  private onConnection(ws: WebSocket): void {
    if (this.wss.clients.size > this.opts.maxConnections) {
      ws.close(1013, 'too many connections');
      return;
    }
    this.stats.connections++;
    const mine = new Set<string>();
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.stats.connections--;
      for (const t of mine) this.leave(t, ws);
      mine.clear();
    });
    ws.on('message', (raw, isBinary) => {
      let msg: unknown;
      try {
        msg = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString('utf8') : raw.toString());
      } catch {
        this.reject(ws, 'malformed JSON');
        return;
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
        this.reject(ws, 'message is not an object');
        return;
      }
      const m = msg as Record<string, unknown>;
      switch (m.type) {
        case 'subscribe': {
          const topics = this.topicList(ws, m.topics);
          if (!topics) return;
          for (const t of topics) {
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
        }
        case 'unsubscribe': {
          const topics = this.topicList(ws, m.topics);
          if (!topics) return;
          for (const t of topics) {
            if (mine.delete(t)) this.leave(t, ws);
          }
          break;
        }
        case 'publish': {
          if (typeof m.topic !== 'string' || m.topic.length > this.opts.maxTopicLength) {
            this.reject(ws, 'publish: topic must be a string');
            return;
          }
          this.stats.published++;
          const receivers = this.topics.get(m.topic);
          if (!receivers) return;
          m.clients = receivers.size;
          const out = JSON.stringify(m);
          for (const r of receivers) {
            if (r.readyState === r.OPEN) {
              r.send(out);
              this.stats.delivered++;
            }
          }
          break;
        }
        case 'ping':
          ws.send('{"type":"pong"}');
          break;
        default:
          // y-webrtc's server ignores unknown types; so do we (forward compatibility), but they cost nothing.
          break;
      }
    });
  }

  private topicList(ws: WebSocket, v: unknown): string[] | null {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > this.opts.maxTopicsPerConn) {
      this.reject(ws, 'topics must be an array of strings');
      return null;
    }
    for (const t of v) {
      if (typeof t !== 'string' || t.length > this.opts.maxTopicLength) {
        this.reject(ws, 'topics must be an array of strings');
        return null;
      }
    }
    return v as string[];
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
