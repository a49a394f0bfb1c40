/**
 * The host side of a Node peer process: spawns src/live/peer-process.ts (through tsx's loader), hands it
 * its config over IPC, sends it commands, relays its events, and can SIGKILL it (the lab's "kill peer").
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LivePeerOptions, PeerReport, SyncMode } from './peer.js';
import { SECRET_ENV } from './turn-rest.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ENTRY = path.join(HERE, 'peer-process.ts');

let compiled: Promise<string | null> | null = null;

/**
 * Our TypeScript of the peer process bundled into one ESM file (npm packages stay external, so it sits
 * under node_modules/.cache to resolve them), built once per host process. A fork of plain JS starts in
 * a fraction of the time tsx needs to transform every module in every child. Falls back to tsx if
 * esbuild is not there.
 */
function compiledEntry(): Promise<string | null> {
  compiled ??= (async () => {
    try {
      const esbuild = await import('esbuild');
      const out = await esbuild.build({
        entryPoints: [ENTRY],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      });
      const code = out.outputFiles[0]?.text ?? '';
      const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
      const dir = path.resolve(HERE, '../../node_modules/.cache/peerlab');
      const file = path.join(dir, `peer-process-${hash}.mjs`);
      if (!fs.existsSync(file)) {
        fs.mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, file);
      }
      return file;
    } catch {
      return null;
    }
  })();
  return compiled;
}

export interface PeerProcessOptions extends Omit<LivePeerOptions, 'gossip' | 'onWarning' | 'keys'> {
  docs?: string[];
}

export class PeerProcessError extends Error {
  override name = 'PeerProcessError';
}

export class PeerProcess {
  child!: ChildProcess;
  readonly ready: Promise<{ id: number; name: string }>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exitedFlag = false;
  readonly exited: Promise<number | null>;
  onEvent: (ev: Record<string, unknown>) => void = () => {};
  id = 0;

  constructor(readonly opts: PeerProcessOptions) {
    let exitedResolve!: (code: number | null) => void;
    this.exited = new Promise((resolve) => (exitedResolve = resolve));
    this.ready = this.spawn(exitedResolve);
    this.ready.catch(() => {});
  }

  private async spawn(exitedResolve: (code: number | null) => void): Promise<{ id: number; name: string }> {
    const js = await compiledEntry();
    // the config (the room password, TURN credentials) goes over the IPC channel, never on the command
    // line; the host's TURN secret is not inherited
    const env = { ...process.env };
    for (const k of SECRET_ENV) delete env[k];
    this.child = fork(js ?? ENTRY, [], {
      execArgv: js ? [] : ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env,
    });
    this.child.send({ config: this.opts });
    if (this.killRequested) this.child.kill('SIGKILL');
    this.child.on('exit', (code) => {
        this.exitedFlag = true;
        for (const p of this.pending.values()) p.reject(new PeerProcessError('peer process exited'));
        this.pending.clear();
        exitedResolve(code);
    });
    return new Promise((resolve, reject) => {
      let why = 'peer process exited before it was ready';
      this.child.once('exit', () => reject(new PeerProcessError(why)));
      this.child.on('message', (raw) => {
        const m = raw as Record<string, unknown>;
        if (m.ev === 'failed') why = `peer process could not start: ${String(m.message)}`;
        else if (m.ev === 'ready') {
          this.id = m.id as number;
          this.isReady = true;
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
  }

  private killRequested = false;
  private isReady = false;

  get alive(): boolean {
    return !this.exitedFlag;
  }

  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    // the process reads commands once it has started (its keys may take a moment): until then they wait here
    if (!this.child || !this.isReady) return this.ready.then(() => this.call<T>(cmd, args));
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
  /** The marks of stamped edits this peer's replica holds ('origin:seq:wallMs'). */
  stamps(doc: string): Promise<string[]> {
    return this.call<string[]>('stamps', { doc });
  }
  state(): Promise<PeerReport> {
    return this.call<PeerReport>('state');
  }
  setMode(mode: SyncMode): Promise<boolean> {
    return this.call<boolean>('mode', { mode });
  }

  /** SIGKILL: no goodbye, no flush; what the log holds is what survives. */
  async kill9(): Promise<void> {
    if (this.exitedFlag) return;
    if (!this.child) {
      this.killRequested = true;
      await this.ready.catch(() => {});
    } else this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful leave (goodbye on signaling, logs closed). */
  async close(): Promise<void> {
    await this.ready.catch(() => {});
    if (this.exitedFlag) return;
    await this.call('close').catch(() => {});
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}
