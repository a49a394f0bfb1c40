/**
 * Who may talk to the LabHost over IPC: only the top frame of one of our own windows, showing our
 * own renderer (the built file, or the dev server in development). A frame that navigated away, an
 * iframe, or a window we did not make is refused. Pure, so it is unit-tested without Electron.
 */

export interface SenderInfo {
  /** The sending frame's URL (`event.senderFrame.url`). */
  url: string;
  /** True if the sending frame is its page's main frame. */
  isMainFrame: boolean;
  /** `event.sender.id` of the sending webContents. */
  webContentsId: number;
}

export interface SenderPolicy {
  /** webContents ids of the windows main created. */
  windowIds: ReadonlySet<number>;
  /** The renderer's index.html as a file:// URL, when loaded from disk. */
  rendererFileUrl: string | null;
  /** The dev server's origin (`http://localhost:5173`), when in development. */
  devOrigin: string | null;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

export function checkSender(sender: SenderInfo | null | undefined, policy: SenderPolicy): SenderVerdict {
  if (!sender) return { ok: false, reason: 'no sender frame (it was destroyed or navigated)' };
  if (!policy.windowIds.has(sender.webContentsId)) return { ok: false, reason: `webContents ${sender.webContentsId} is not a peerlab window` };
  if (!sender.isMainFrame) return { ok: false, reason: 'IPC from a sub-frame is not accepted' };
  let url: URL;
  try {
    url = new URL(sender.url);
  } catch {
    return { ok: false, reason: `sender URL '${sender.url}' is not a URL` };
  }
  if (policy.rendererFileUrl && url.protocol === 'file:') {
    const want = new URL(policy.rendererFileUrl);
    if (url.pathname === want.pathname && url.host === want.host) return { ok: true };
    return { ok: false, reason: `file ${url.pathname} is not the peerlab renderer` };
  }
  if (policy.devOrigin && url.origin === new URL(policy.devOrigin).origin) return { ok: true };
  return { ok: false, reason: `origin ${url.protocol === 'file:' ? url.href : url.origin} is not the peerlab renderer` };
}
