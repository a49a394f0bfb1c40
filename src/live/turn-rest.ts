/**
 * The room's ICE servers as the host keeps them, and TURN REST credentials (the "REST API for access to
 * TURN services" draft; coturn's `use-auth-secret` / `static-auth-secret`): the host shares one secret
 * with the TURN server and mints, per peer and per start, the username `<expiry, unix s>:<name>` and
 * the credential base64(HMAC-SHA1(secret, username)). The server checks the HMAC and the expiry, so a
 * credential is good until it expires and the secret itself never leaves the host: peers (its own
 * processes, its own windows) get minted credentials, `live.info` gets URLs only.
 *
 * The secret comes from the host's environment: `PEERLAB_TURN_SECRET_FILE` (a file holding it) or
 * `PEERLAB_TURN_SECRET`, never from a command line (visible to every local user in the process list).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IceConfigError, parseIcePolicy, parseIceServer, parseIceUrl, type IceServer, type IceSettings, type IceTransportPolicy } from './ice.js';

/** One server in the room's settings: static credentials as in the W3C shape, or `auth: 'rest'` to mint them. */
export interface IceServerSetting {
  urls: string[];
  username?: string;
  credential?: string;
  auth?: 'rest';
}

export interface IceRoomSettings {
  servers: IceServerSetting[];
  policy: IceTransportPolicy;
}

export const DEFAULT_TURN_TTL_SEC = 24 * 3600;

export function turnRestCredential(secret: string, name: string, ttlSec: number, nowMs = Date.now()): { username: string; credential: string } {
  const expiry = Math.floor(nowMs / 1000) + Math.round(ttlSec);
  // the part after ':' is only a label for the server's logs; keep it short and plain
  const label = name.replace(/[^\w.-]/g, '_').slice(0, 64);
  const username = `${expiry}:${label}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The TURN shared secret from the environment (a file first), or null. */
export function turnSecretFromEnv(env: Record<string, string | undefined> = process.env): string | null {
  const file = env.PEERLAB_TURN_SECRET_FILE;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new IceConfigError(`PEERLAB_TURN_SECRET_FILE: cannot read ${file}: ${(e as Error).message}`);
    }
    const secret = text.trim();
    if (!secret) throw new IceConfigError(`PEERLAB_TURN_SECRET_FILE: ${file} is empty`);
    return secret;
  }
  return env.PEERLAB_TURN_SECRET?.trim() || null;
}

/** Variables a peer process must not inherit. */
export const SECRET_ENV = ['PEERLAB_TURN_SECRET', 'PEERLAB_TURN_SECRET_FILE'] as const;

/** Validates the room's ICE settings as `live.configure` receives them. */
export function parseIceRoomSettings(v: { servers?: unknown; policy?: unknown }, where = 'ice'): IceRoomSettings {
  const raw = v.servers ?? [];
  if (!Array.isArray(raw)) throw new IceConfigError(`${where}.servers: expected a list`);
  if (raw.length > 8) throw new IceConfigError(`${where}.servers: at most 8 servers, got ${raw.length}`);
  const servers = raw.map((s: unknown, i): IceServerSetting => {
    const at = `${where}.servers[${i}]`;
    if (typeof s === 'object' && s !== null && (s as { auth?: unknown }).auth !== undefined) {
      const { auth, ...rest } = s as Record<string, unknown>;
      if (auth !== 'rest') throw new IceConfigError(`${at}.auth: expected 'rest' (credentials minted from the host's TURN secret), got ${JSON.stringify(auth)}`);
      if (rest.username !== undefined || rest.credential !== undefined) throw new IceConfigError(`${at}: auth 'rest' mints the username and credential; give neither`);
      // the same URL and key rules as a static server (with stand-in credentials)
      const checked = parseIceServer({ ...rest, username: 'x', credential: 'x' }, at);
      const stun = checked.urls.find((u) => parseIceUrl(u).scheme === 'stun');
      if (stun) throw new IceConfigError(`${at}: auth 'rest' is for TURN URLs, got ${JSON.stringify(stun)}`);
      return { urls: checked.urls, auth: 'rest' };
    }
    return parseIceServer(s, at);
  });
  return { servers, policy: parseIcePolicy(v.policy, `${where}.policy`) };
}

/**
 * What one peer is given: static servers as they are, `auth: 'rest'` ones with credentials minted for
 * `name`. Throws if a server wants REST credentials and the host has no secret.
 */
export function resolveIce(s: IceRoomSettings, secret: string | null, name: string, ttlSec = DEFAULT_TURN_TTL_SEC, nowMs = Date.now()): IceSettings {
  const iceServers = s.servers.map((x): IceServer => {
    if (x.auth !== 'rest') return { urls: [...x.urls], ...(x.username ? { username: x.username } : {}), ...(x.credential ? { credential: x.credential } : {}) };
    if (!secret)
      throw new IceConfigError(
        `${x.urls.join(', ')}: time-limited TURN credentials need the TURN server's shared secret on the host: set PEERLAB_TURN_SECRET_FILE (a file holding it) or PEERLAB_TURN_SECRET before starting peerlab`,
      );
    return { urls: [...x.urls], ...turnRestCredential(secret, name, ttlSec, nowMs) };
  });
  return { iceServers, iceTransportPolicy: s.policy };
}

/** The settings without credentials, for `live.info`. */
export function publicIce(s: IceRoomSettings): { servers: { urls: string[]; auth: 'static' | 'rest' | 'none' }[]; policy: IceTransportPolicy } {
  return {
    servers: s.servers.map((x) => ({ urls: [...x.urls], auth: x.auth === 'rest' ? 'rest' : x.username ? 'static' : 'none' })),
    policy: s.policy,
  };
}
