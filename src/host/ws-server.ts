/**
 * The WebSocket transport of LabHost, plus the static files of the built renderer, on one HTTP server
 * bound to 127.0.0.1. `/host` is the WebSocket: every text frame goes through the router (which
 * validates it) and gets a result or error frame back; a bad frame never closes the connection.
 * Every client gets every event.
 *
 * Who may connect: only the host's own windows, which know the per-start token (`?token=` in the URL
 * `peerlab serve` prints, as Jupyter does; the page passes it on to the WebSocket). Any other local
 * process can reach 127.0.0.1 too, and the lab hands its clients the room password (`live.join`): being
 * local, or sending no Origin header, proves nothing. Also refused: other web origins (a page on some
 * website driving the lab through the user's browser), Host headers other than loopback (DNS
 * rebinding), more than `maxClients` connections, and a client that stops reading (past
 * `maxClientBufferedBytes` queued for it, it is dropped).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, type HostFrame } from './contract.js';
import type { Host } from './index.js';

export interface ServeOptions {
  host: Host;
  /** 0 picks a free port. */
  port?: number;
  /** Built renderer (out/renderer); without it only the WebSocket is served. */
  staticDir?: string | null;
  /** Events a slow client may have queued (bytes) before snapshots to it are skipped. Default 4 MB. */
  maxBufferedBytes?: number;
  /** Bytes queued for a client that does not read, past which it is dropped. Default 8 MiB. */
  maxClientBufferedBytes?: number;
  /** Connections at most. Default 32 (so at most 32 x 8 MiB are ever queued for clients). */
  maxClients?: number;
  /** The secret a client must give as `?token=` on /host. Default: 24 random bytes, new at each start. */
  token?: string;
}

export interface RunningServer {
  port: number;
  /** The page to open: http://127.0.0.1:PORT/?token=... */
  url: string;
  /** ws://127.0.0.1:PORT/host?token=... */
  wsUrl: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Calls of one client handled at once; the others wait their turn. */
const MAX_IN_FLIGHT = 8;
/** Characters of calls one client may have waiting before we stop reading from it. */
const MAX_QUEUED_CHARS = 4 * 1024 * 1024;

function loopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}` || hostHeader === `[::1]:${port}`;
}

export async function serveHost(opts: ServeOptions): Promise<RunningServer> {
  const { host } = opts;
  const staticDir = opts.staticDir ? resolve(opts.staticDir) : null;
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  const maxClientBuffered = opts.maxClientBufferedBytes ?? 8 * 1024 * 1024;
  const maxClients = opts.maxClients ?? 32;
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const tokenOk = (given: string | null): boolean => {
    if (given === null) return false;
    const g = Buffer.from(given);
    return g.length === tokenBytes.length && timingSafeEqual(g, tokenBytes);
  };
  let port = opts.port ?? 0;

  const server = createServer((req, res) => serveStatic(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  function serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (!loopbackHost(req.headers.host, port)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request: use 127.0.0.1\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!staticDir) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('renderer not built: run npm run build\n');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(staticDir, path));
    if (file !== staticDir && !file.startsWith(staticDir + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      // the page's URL carries the token: never send it to another site as a Referer
      'referrer-policy': 'no-referrer',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: string, why: string): void => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
      socket.destroy();
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return refuse('400 Bad Request', 'bad request');
    }
    const origin = req.headers.origin;
    const okOrigin = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/host' || !okOrigin || !loopbackHost(req.headers.host, port)) return refuse('403 Forbidden', 'forbidden');
    if (!tokenOk(url.searchParams.get('token'))) return refuse('401 Unauthorized', 'missing or wrong token: open the URL peerlab serve printed');
    if (wss.clients.size >= maxClients) return refuse('503 Service Unavailable', `at most ${maxClients} connections`);
    wss.handleUpgrade(req, socket, head, (ws) => onClient(ws));
  });

  function onClient(ws: WebSocket): void {
    const send = (frame: HostFrame): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxClientBuffered) {
        ws.terminate(); // it does not read: what we would queue for it has no bound
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    send(host.router.eventFrame('host.hello', host.hello()));
    const unsubscribe = host.router.subscribe((frame) => {
      // A client that cannot keep up misses snapshots (the next one replaces them), never state.
      if (frame.event === 'lab.snapshot' && ws.bufferedAmount > maxBuffered) return;
      send(frame);
    });
    // At most MAX_IN_FLIGHT calls of one client run at once, the rest wait in order; past
    // MAX_QUEUED_CHARS waiting, reading from it pauses (TCP pushes back). A client that fires thousands
    // of calls holds a few answers in memory, not thousands (3,000 snapshot calls took the host to 480 MB).
    const queue: string[] = [];
    let queued = 0;
    let inFlight = 0;
    let paused = false;
    const pump = (): void => {
      while (inFlight < MAX_IN_FLIGHT && queue.length > 0 && ws.readyState === ws.OPEN) {
        const text = queue.shift() as string;
        queued -= text.length;
        inFlight++;
        void host.router
          .handleText(text)
          .then(send)
          .finally(() => {
            inFlight--;
            pump();
          });
      }
      if (paused && queued < MAX_QUEUED_CHARS / 2) {
        paused = false;
        ws.resume();
      }
    };
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      if (text === null) {
        send({ type: 'error', id: null, error: { code: 'bad_frame', message: 'binary frames are not accepted: send JSON text' } });
        return;
      }
      queue.push(text);
      queued += text.length;
      if (!paused && queued > MAX_QUEUED_CHARS) {
        paused = true;
        ws.pause();
      }
      pump();
    });
    ws.on('error', () => {
      // A protocol violation (e.g. a frame over maxPayload) closes that client only.
    });
    ws.on('close', unsubscribe);
  }

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', rej);
      res();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : port;

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    wsUrl: `ws://127.0.0.1:${port}/host?token=${token}`,
    origin: `http://127.0.0.1:${port}`,
    token,
    server,
    close: () =>
      new Promise<void>((res) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => res());
        server.closeAllConnections?.();
      }),
  };
}
