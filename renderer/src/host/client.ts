/**
 * HostClient: the renderer's side of LabHost. Typed `call(cmd, args)` and `on(event, cb)` over one of
 * two frame pipes: Electron IPC (the preload's `window.peerlab`) or a WebSocket to `peerlab serve`.
 * Views never know which one they were given.
 */
import type { CallFrame, EventFrame, HostErrorData, HostFrame } from '../../../src/host/contract.js';
import type { PeerlabBridge } from '../../../src/host/bridge.js';
import type { CommandName, EventName, HostCommands, HostEvents } from '../../../src/host/groups.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** A call the host refused: `code` says why (bad_args, unknown_command, failed, ...). */
export class HostCallError extends Error {
  override name = 'HostCallError';
  readonly code: HostErrorData['code'];
  readonly issues: HostErrorData['issues'];
  constructor(err: HostErrorData) {
    super(err.message);
    this.code = err.code;
    this.issues = err.issues;
  }
}

type ArgsArg<K extends CommandName> = undefined extends HostCommands[K]['args'] ? [args?: HostCommands[K]['args']] : [args: HostCommands[K]['args']];

export interface HostClient {
  readonly transport: 'ipc' | 'websocket';
  call<K extends CommandName>(cmd: K, ...args: ArgsArg<K>): Promise<HostCommands[K]['result']>;
  on<E extends EventName>(event: E, cb: (data: HostEvents[E]) => void): () => void;
  onStatus(cb: (s: ConnectionStatus) => void): () => void;
  readonly status: ConnectionStatus;
  /** Electron only: opens another window on the same lab. */
  openWindow?(): Promise<void>;
  close(): void;
}

/** The transport-independent part: ids, pending calls, event fan-out. */
abstract class FrameClient implements HostClient {
  abstract readonly transport: 'ipc' | 'websocket';
  private nextId = 1;
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  status: ConnectionStatus = 'connecting';

  protected abstract send(frame: CallFrame): Promise<HostFrame | void>;
  protected readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  async call<K extends CommandName>(cmd: K, ...args: ArgsArg<K>): Promise<HostCommands[K]['result']> {
    const id = this.nextId++;
    const frame: CallFrame = { type: 'call', id, cmd, args: args[0] ?? {} };
    const answer = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    try {
      const direct = await this.send(frame);
      if (direct) this.receive(direct);
    } catch (err) {
      this.pending.delete(id);
      throw err;
    }
    return answer as Promise<HostCommands[K]['result']>;
  }

  on<E extends EventName>(event: E, cb: (data: HostEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = cb as (data: unknown) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  onStatus(cb: (s: ConnectionStatus) => void): () => void {
    this.statusListeners.add(cb);
    cb(this.status);
    return () => this.statusListeners.delete(cb);
  }

  protected setStatus(s: ConnectionStatus): void {
    this.status = s;
    for (const cb of this.statusListeners) cb(s);
    if (s === 'closed') {
      for (const p of this.pending.values()) p.reject(new Error('connection to the lab host closed'));
      this.pending.clear();
    }
  }

  protected receive(frame: HostFrame): void {
    if (frame.type === 'event') return this.dispatch(frame);
    const id = frame.id;
    if (typeof id !== 'number') {
      if (frame.type === 'error') console.warn('peerlab host error:', frame.error.message);
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (frame.type === 'result') p.resolve(frame.result);
    else p.reject(new HostCallError(frame.error));
  }

  protected dispatch(frame: EventFrame): void {
    const set = this.listeners.get(frame.event);
    if (!set) return;
    for (const cb of [...set]) {
      try {
        cb(frame.data);
      } catch (err) {
        console.error(`peerlab: listener of ${frame.event} threw`, err);
      }
    }
  }

  abstract close(): void;
}

/** Inside Electron: frames go through the preload's bridge. */
export class IpcHostClient extends FrameClient {
  readonly transport = 'ipc' as const;
  private readonly off: () => void;
  constructor(private readonly bridge: PeerlabBridge) {
    super();
    this.off = bridge.onEvent((f) => this.dispatch(f));
    this.setStatus('open');
  }
  protected send(frame: CallFrame): Promise<HostFrame> {
    return this.bridge.call(frame);
  }
  openWindow(): Promise<void> {
    return this.bridge.openWindow();
  }
  close(): void {
    this.off();
    this.setStatus('closed');
  }
}

/** In a browser: one WebSocket to the host that served the page; reconnects if it drops. */
export class WsHostClient extends FrameClient {
  readonly transport = 'websocket' as const;
  private ws: WebSocket | null = null;
  private closedByUs = false;
  private opened: Promise<void>;
  private retryMs = 500;

  constructor(private readonly url: string) {
    super();
    this.opened = this.connect();
  }

  private connect(): Promise<void> {
    this.setStatus('connecting');
    return new Promise<void>((resolve) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => {
        this.retryMs = 500;
        this.setStatus('open');
        resolve();
      };
      ws.onmessage = (ev) => {
        let frame: HostFrame;
        try {
          frame = JSON.parse(String(ev.data)) as HostFrame;
        } catch {
          return;
        }
        this.receive(frame);
      };
      ws.onclose = () => {
        this.ws = null;
        this.setStatus('closed');
        if (this.closedByUs) return;
        setTimeout(() => {
          this.opened = this.connect();
        }, this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
        resolve();
      };
    });
  }

  protected async send(frame: CallFrame): Promise<void> {
    await this.opened;
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) throw new Error('not connected to the lab host');
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.closedByUs = true;
    this.ws?.close();
  }
}

/**
 * IPC when the preload gave us a bridge, else a WebSocket to the page's own host (`/host`), passing on
 * the per-start `token` of the page's URL (the host refuses connections without it).
 */
export function connectHost(): HostClient {
  if (window.peerlab && window.peerlab.transport === 'ipc') return new IpcHostClient(window.peerlab);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const params = new URLSearchParams(location.search);
  const url = new URL(params.get('host') ?? `${proto}//${location.host}/host`);
  const token = params.get('token');
  if (token !== null && !url.searchParams.has('token')) url.searchParams.set('token', token);
  return new WsHostClient(url.toString());
}

let current: HostClient | null = null;
/** The client the app started with (views and stores of every area use this one). */
export function useHost(): HostClient {
  if (!current) throw new Error('useHost: no host client yet (main.ts sets it before mounting)');
  return current;
}
export function setHost(client: HostClient): void {
  current = client;
}
