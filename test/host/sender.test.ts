// The IPC sender check of main/ (pure; Electron itself cannot run here).
import { describe, expect, it } from 'vitest';
import { checkSender, type SenderPolicy } from '../../main/sender.js';

const fileUrl = 'file:///opt/peerlab/out/renderer/index.html';
const prod: SenderPolicy = { windowIds: new Set([3, 4]), rendererFileUrl: fileUrl, devOrigin: null };
const dev: SenderPolicy = { windowIds: new Set([3]), rendererFileUrl: null, devOrigin: 'http://localhost:5173' };
const ok = { url: fileUrl, isMainFrame: true, webContentsId: 3 };

describe('checkSender', () => {
  it('accepts the top frame of our window showing our renderer', () => {
    expect(checkSender(ok, prod)).toEqual({ ok: true });
    expect(checkSender({ ...ok, webContentsId: 4, url: `${fileUrl}#/lab` }, prod)).toEqual({ ok: true });
    expect(checkSender({ url: 'http://localhost:5173/#/lab', isMainFrame: true, webContentsId: 3 }, dev)).toEqual({ ok: true });
  });

  it.each([
    ['a destroyed frame', null, /no sender frame/],
    ['a window we did not make', { ...ok, webContentsId: 99 }, /not a peerlab window/],
    ['a sub-frame', { ...ok, isMainFrame: false }, /sub-frame/],
    ['another local file', { ...ok, url: 'file:///tmp/evil.html' }, /not the peerlab renderer/],
    ['a web page the window navigated to', { ...ok, url: 'https://evil.example/' }, /origin https:\/\/evil\.example is not/],
    ['the dev origin in production', { ...ok, url: 'http://localhost:5173/' }, /not the peerlab renderer/],
    ['garbage', { ...ok, url: 'not a url' }, /is not a URL/],
  ])('refuses %s', (_what, sender, reason) => {
    const v = checkSender(sender, prod);
    expect(v.ok).toBe(false);
    expect((v as { reason: string }).reason).toMatch(reason);
  });

  it('in development, refuses other ports and file URLs', () => {
    expect(checkSender({ url: 'http://localhost:5174/', isMainFrame: true, webContentsId: 3 }, dev).ok).toBe(false);
    expect(checkSender({ url: fileUrl, isMainFrame: true, webContentsId: 3 }, dev).ok).toBe(false);
  });
});
