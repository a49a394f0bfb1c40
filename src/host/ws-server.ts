/**
 * The WebSocket transport of LabHost, plus the static files of the built renderer, on one HTTP server
 * bound to 127.0.0.1. `/host` is the WebSocket: every text frame goes through the router (which
 * validates it) and gets a result or error frame back; a bad frame never closes the connection.
 * Every client gets every event. Connections from other web origins are refused (a page on some
 * website must not drive the lab through the user's browser), and so are Host headers other than
 * loopback (DNS rebinding).
 */
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
}

export interface RunningServer {
  port: number;
  url: string;
  wsUrl: string;
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

function loopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}` || hostHeader === `[::1]:${port}`;
}

export async function serveHost(opts: ServeOptions): Promise<RunningServer> {
  const { host } = opts;
  const staticDir = opts.staticDir ? resolve(opts.staticDir) : null;
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
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
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    const okOrigin = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/host' || !okOrigin || !loopbackHost(req.headers.host, port)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onClient(ws));
  });

  function onClient(ws: WebSocket): void {
    const send = (frame: HostFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    send(host.router.eventFrame('host.hello', host.hello()));
    const unsubscribe = host.router.subscribe((frame) => {
      // A client that cannot keep up misses snapshots (the next one replaces them), never state.
      if (frame.event === 'lab.snapshot' && ws.bufferedAmount > maxBuffered) return;
      send(frame);
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      if (text === null) {
        send({ type: 'error', id: null, error: { code: 'bad_frame', message: 'binary frames are not accepted: send JSON text' } });
        return;
      }
      void host.router.handleText(text).then(send);
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
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/host`,
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
