/**
 * The Electron shell's security decisions, pure so they are unit-tested without Electron (its binary
 * cannot run on every machine): which renderer URL a window may load, what happens to a link the page
 * asks to open, and how many windows there may be.
 */

/**
 * The dev server URL to load instead of the built renderer: only in an unpackaged app (electron-vite
 * dev), and only an http URL on loopback. A packaged app ignores ELECTRON_RENDERER_URL, so an
 * environment variable cannot point the app's privileged windows at someone else's page.
 */
export function devRendererUrl(env: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || env === undefined || env === '') return null;
  let url: URL;
  try {
    url = new URL(env);
  } catch {
    return null;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'http:' && loopback && url.username === '' && url.password === '' ? url.href : null;
}

export type ExternalLink = { action: 'ask'; url: string } | { action: 'refuse'; reason: string };

/** Longest URL offered to the system browser. */
const MAX_URL_CHARS = 2048;

/**
 * A link the page asks to open (target=_blank, window.open): the page never opens windows of its own, so
 * it may only hand an http(s) URL to the system browser, and only after the user said yes (the dialog
 * shows the URL). Other schemes (file:, custom app handlers that launch programs), URLs with credentials
 * and overlong ones are refused outright.
 */
export function externalLink(raw: string): ExternalLink {
  if (raw.length > MAX_URL_CHARS) return { action: 'refuse', reason: `a URL of ${raw.length} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { action: 'refuse', reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { action: 'refuse', reason: `${url.protocol} links are not opened` };
  if (url.username !== '' || url.password !== '') return { action: 'refuse', reason: 'a URL with credentials' };
  return { action: 'ask', url: url.href };
}

/** Windows at most: a page calling openWindow in a loop must not exhaust the machine. */
export const MAX_WINDOWS = 16;

export function mayOpenWindow(open: number): boolean {
  return open < MAX_WINDOWS;
}
