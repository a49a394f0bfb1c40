/**
 * ICE servers for live peers on different networks: STUN tells a peer its public address, TURN
 * (coturn) relays its traffic when no direct path exists (symmetric NATs, firewalls that only let
 * outgoing traffic through). Browser and Node peers take the same W3C shape, `{ urls, username?,
 * credential? }`; `iceTransportPolicy: 'relay'` makes a peer use relayed paths only (what a test of
 * the relay forces, and what hides a peer's own addresses from the others).
 *
 * `parseIceServers` validates a room's servers (the host's settings, and what a peer process is
 * given), naming the bad entry; `parseIceUrl` reads one RFC 7064/7065 URL. `RelayCheck` asks the
 * peer's own WebRTC stack for a relay address through the configured TURN servers, so a server that is
 * down, unreachable, or refusing the credentials shows as an error on the peer's row in seconds,
 * instead of links that never open.
 *
 * Browser-safe (no Node imports): windows run it too. TURN REST credentials (minted from a shared
 * secret) are made on the host only, in turn-rest.ts.
 */

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export type IceTransportPolicy = 'all' | 'relay';

export interface IceSettings {
  iceServers: IceServer[];
  iceTransportPolicy: IceTransportPolicy;
}

export const NO_ICE: IceSettings = { iceServers: [], iceTransportPolicy: 'all' };

/** A bad ICE server setting; `message` starts with the path of the bad entry (`iceServers[1].urls[0]: ...`). */
export class IceConfigError extends Error {
  override name = 'IceConfigError';
}

export interface IceUrl {
  scheme: 'stun' | 'turn' | 'turns';
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** `?transport=` of a TURN URL; null: UDP (turn:) or TLS over TCP (turns:). */
  transport: 'udp' | 'tcp' | null;
}

const MAX_SERVERS = 8;
const MAX_URLS = 4;
const MAX_URL = 256;
const MAX_SECRET = 512;
/** A DNS name, an IPv4 address, or a bracketed IPv6 address. */
const HOST = /^(?:\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v) : typeof v);

/** `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`, `turns:host[:port][?transport=tcp]`. */
export function parseIceUrl(url: string, where = 'url'): IceUrl {
  const bad = (why: string) => new IceConfigError(`${where}: ${why}, got ${show(url)}`);
  if (url.length > MAX_URL) throw bad(`at most ${MAX_URL} characters`);
  const m = /^(stuns?|turns?):([^?#/]*?)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) throw bad('expected stun:HOST[:PORT] or turn:HOST[:PORT][?transport=udp|tcp] (or turns:)');
  const scheme = m[1]!;
  if (scheme === 'stuns') throw bad('STUN over TLS (stuns:) is not supported by browsers or libdatachannel; use stun: or turns:');
  const host = m[2]!;
  if (!HOST.test(host)) throw bad(`bad host ${JSON.stringify(host)}`);
  const port = m[3] === undefined ? (scheme === 'turns' ? 5349 : 3478) : Number(m[3]);
  if (port < 1 || port > 65535) throw bad('port out of range');
  const transport = (m[4] ?? null) as IceUrl['transport'];
  if (transport !== null && scheme === 'stun') throw bad('?transport is for TURN URLs');
  if (transport === 'udp' && scheme === 'turns') throw bad('turns: runs over TCP (TLS); drop ?transport=udp');
  return { scheme: scheme as IceUrl['scheme'], host: host.replace(/^\[|\]$/g, ''), port, transport };
}

/** One ICE server `{ urls, username?, credential? }` (`at` names it in messages). TURN URLs need a username and credential. */
export function parseIceServer(s: unknown, at: string): IceServer {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new IceConfigError(`${at}: expected { urls, username?, credential? }, got ${show(s)}`);
  const o = s as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['urls', 'username', 'credential'].includes(k)) throw new IceConfigError(`${at}: unknown key ${JSON.stringify(k.slice(0, 40))} (expected urls, username, credential)`);
  const urls = typeof o.urls === 'string' ? [o.urls] : o.urls;
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_URLS || !urls.every((u) => typeof u === 'string'))
    throw new IceConfigError(`${at}.urls: expected a URL or a list of 1-${MAX_URLS} URLs, got ${show(o.urls)}`);
  const parsed = (urls as string[]).map((u, j) => parseIceUrl(u, `${at}.urls[${j}]`));
  const out: IceServer = { urls: [...(urls as string[])] };
  for (const k of ['username', 'credential'] as const) {
    const x = o[k];
    if (x === undefined) continue;
    if (typeof x !== 'string' || x.length === 0 || x.length > MAX_SECRET || /[\0\r\n]/.test(x))
      throw new IceConfigError(`${at}.${k}: expected a non-empty string of at most ${MAX_SECRET} characters on one line`);
    out[k] = x;
  }
  if (parsed.some((p) => p.scheme !== 'stun') && (out.username === undefined || out.credential === undefined))
    throw new IceConfigError(`${at}: a TURN server needs a username and a credential`);
  return out;
}

/** Validates a list of ICE servers (untrusted input: at most 8 servers of at most 4 URLs each), `urls` always a list. */
export function parseIceServers(v: unknown, where = 'iceServers'): IceServer[] {
  if (!Array.isArray(v)) throw new IceConfigError(`${where}: expected a list of { urls, username?, credential? }, got ${show(v)}`);
  if (v.length > MAX_SERVERS) throw new IceConfigError(`${where}: at most ${MAX_SERVERS} servers, got ${v.length}`);
  return v.map((s: unknown, i) => parseIceServer(s, `${where}[${i}]`));
}

/** A peer's whole ICE setting (what a peer process is given). */
export function parseIceSettings(v: { iceServers?: unknown; iceTransportPolicy?: unknown }): IceSettings {
  return { iceServers: parseIceServers(v.iceServers ?? []), iceTransportPolicy: parseIcePolicy(v.iceTransportPolicy) };
}

export function parseIcePolicy(v: unknown, where = 'iceTransportPolicy'): IceTransportPolicy {
  if (v === undefined) return 'all';
  if (v !== 'all' && v !== 'relay') throw new IceConfigError(`${where}: expected 'all' or 'relay', got ${show(v)}`);
  return v;
}

/** The TURN URLs of a setting (what a relay check is about). */
export function turnUrls(servers: IceServer[]): string[] {
  return servers.flatMap((s) => s.urls.filter((u) => /^turns?:/.test(u)));
}

// ---- the relay check ------------------------------------------------------------------------------

export interface IceStatus {
  /** 'off': nothing to check (no TURN server and policy 'all'). */
  state: 'off' | 'checking' | 'ok' | 'failed';
  /** Relay candidates the last check gathered. */
  relayCandidates: number;
  /** Why the last check failed, for the peer's row. */
  error: string | null;
}

export interface RelayCheckOptions {
  /** How long a check waits for a relay candidate. Default 10 s. */
  timeoutMs?: number;
  /** How soon a failed check is repeated (a server that comes up later clears the error). Default 30 s. */
  retryMs?: number;
  onChange?: (s: IceStatus) => void;
}

/**
 * Checks, with the peer's own WebRTC stack, that its TURN servers give it a relay address: one
 * relay-only RTCPeerConnection gathers candidates for an offer. `RTCPeerConnection` must be the one
 * peers use (in Node, rtc-node.ts's, which applies its ICE settings whatever config it is given), built
 * for the same servers with policy 'relay'. A failed check is repeated every `retryMs`.
 */
export class RelayCheck {
  private current: IceStatus;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private pc: RTCPeerConnection | null = null;
  private lastSdp = '';

  constructor(
    private readonly RTC: typeof globalThis.RTCPeerConnection,
    private readonly settings: IceSettings,
    private readonly opts: RelayCheckOptions = {},
  ) {
    const turn = turnUrls(settings.iceServers);
    if (turn.length === 0 && settings.iceTransportPolicy === 'relay')
      this.current = { state: 'failed', relayCandidates: 0, error: "relay-only ICE (iceTransportPolicy 'relay') needs a TURN server, and none is configured" };
    else if (turn.length === 0) this.current = { state: 'off', relayCandidates: 0, error: null };
    else {
      this.current = { state: 'checking', relayCandidates: 0, error: null };
      void this.check();
    }
  }

  status(): IceStatus {
    return { ...this.current };
  }

  private set(s: IceStatus): void {
    this.current = s;
    this.opts.onChange?.(this.status());
  }

  private async check(): Promise<void> {
    const turn = turnUrls(this.settings.iceServers).join(', ');
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const started = Date.now();
    let relay = 0;
    let timedOut = false;
    try {
      const pc = new this.RTC({ iceServers: this.settings.iceServers, iceTransportPolicy: 'relay' });
      this.pc = pc;
      pc.onicecandidate = (e) => {
        if (e.candidate && / typ relay( |$)/.test(e.candidate.candidate)) relay++;
      };
      pc.createDataChannel('relay-check');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearInterval(poll);
          clearTimeout(t);
          pc.removeEventListener('icegatheringstatechange', check);
          resolve();
        };
        // one relay candidate is enough; 'complete' means every server answered or gave up
        const check = () => {
          if (this.closed || pc.iceGatheringState === 'complete' || relay > 0) finish();
        };
        const t = setTimeout(() => {
          timedOut = true;
          finish();
        }, timeoutMs);
        // the event is the signal; the poll covers a stack that misses it
        const poll = setInterval(check, 100);
        pc.addEventListener('icegatheringstatechange', check);
        check();
      });
    } catch (e) {
      if (!this.closed) this.set({ state: 'failed', relayCandidates: 0, error: `TURN ${turn}: could not start a relay check: ${(e as Error).message}` });
      this.retry();
      return;
    } finally {
      this.lastSdp = this.pc?.localDescription?.sdp ?? '';
      try {
        this.pc?.close();
      } catch {
        /* already closed */
      }
      this.pc = null;
    }
    if (this.closed) return;
    // the stack may report 'complete' before its candidate events have run: the description holds them all
    relay = Math.max(relay, (this.lastSdp.match(/^a=candidate:.* typ relay( |$)/gm) ?? []).length);
    if (relay > 0) {
      this.set({ state: 'ok', relayCandidates: relay, error: null });
      return;
    }
    const ms = Date.now() - started;
    this.set({
      state: 'failed',
      relayCandidates: 0,
      error: timedOut
        ? `TURN ${turn}: no relay address within ${Math.round(timeoutMs / 1000)} s (server down or unreachable from here?)`
        : `TURN ${turn}: no relay address (gathering ended after ${ms} ms: credentials refused or expired, or the server refused the allocation)`,
    });
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) void this.check();
    }, this.opts.retryMs ?? 30_000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      this.pc?.close();
    } catch {
      /* already closed */
    }
  }
}
