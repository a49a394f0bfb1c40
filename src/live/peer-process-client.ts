/**
 * The host side of a Node peer process: spawns src/live/peer-process.ts (through tsx's loader), sends it
 * commands, relays its events, and can SIGKILL it (the lab's "kill peer").
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LivePeerOptions, PeerState, SyncMode } from './peer.js';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peer-process.ts');

export interface PeerProcessOptions extends Omit<LivePeerOptions, 'gossip' | 'onWarning'> {
  docs?: string[];
}

export class PeerProcessError extends Error {
  override name = 'PeerProcessError';
}

export class PeerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<{ id: number; name: string }>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exitedFlag = false;
  readonly exited: Promise<number | null>;
  onEvent: (ev: Record<string, unknown>) => void = () => {};
  id = 0;

  constructor(readonly opts: PeerProcessOptions) {
    this.child = fork(ENTRY, [JSON.stringify(opts)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.exitedFlag = true;
        for (const p of this.pending.values()) p.reject(new PeerProcessError('peer process exited'));
        this.pending.clear();
        resolve(code);
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', () => reject(new PeerProcessError('peer process exited before it was ready')));
      this.child.on('message', (raw) => {
        const m = raw as Record<string, unknown>;
        if (m.ev === 'ready') {
          this.id = m.id as number;
          resolve({ id: m.id as number, name: m.name as string });
        } else if (typeof m.id === 'number' && 'ok' in m) {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          if (m.ok) p.resolve(m.result);
          else p.reject(new PeerProcessError(String(m.error)));
        } else if (typeof m.ev === 'string') this.onEvent(m);
      });
    });
    this.ready.catch(() => {});
  }

  get alive(): boolean {
    return !this.exitedFlag;
  }

  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.exitedFlag) return Promise.reject(new PeerProcessError('peer process has exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  text(doc: string): Promise<string> {
    return this.call<string>('text', { doc });
  }
  state(): Promise<PeerState> {
    return this.call<PeerState>('state');
  }
  setMode(mode: SyncMode): Promise<boolean> {
    return this.call<boolean>('mode', { mode });
  }

  /** SIGKILL: no goodbye, no flush; what the log holds is what survives. */
  async kill9(): Promise<void> {
    if (this.exitedFlag) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful leave (goodbye on signaling, logs closed). */
  async close(): Promise<void> {
    if (this.exitedFlag) return;
    await this.call('close').catch(() => {});
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}
