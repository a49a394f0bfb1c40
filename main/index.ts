/**
 * The Electron main process: one LabHost for the whole app, any number of windows on it (File > New
 * Window, Ctrl/Cmd+Shift+N), each sandboxed with a preload that exposes only the typed LabHost bridge.
 * Kept thin on purpose: Electron's binary cannot be had on every machine, so everything of substance
 * lives in src/ and is tested without it.
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logger } from '../src/core/index.js';
import { createHost } from '../src/host/index.js';
import { applyV8Tuning } from '../src/host/v8-tuning.js';
import { CSP } from '../src/host/ws-server.js';
import { attachIpc } from './ipc.js';
import { devRendererUrl, externalLink, MAX_WINDOWS, mayOpenWindow } from './policy.js';
import type { SenderPolicy } from './sender.js';

// the engine's V8 settings (src/sim/tuning.ts), before the lab's simulations are optimized
applyV8Tuning();

const log = logger('main');
const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '..', 'renderer', 'index.html');
const preload = join(here, '..', 'preload', 'index.cjs');
// the dev server only in an unpackaged app, and only on loopback (policy.ts)
const devUrl = devRendererUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged);

const windows = new Set<BrowserWindow>();
const windowIds = new Set<number>();
const policy: SenderPolicy = {
  windowIds,
  rendererFileUrl: devUrl ? null : pathToFileURL(rendererIndex).href,
  devOrigin: devUrl,
};

/** Hands an http(s) link to the system browser after the user agreed (never without asking). */
async function openExternal(owner: BrowserWindow | null, raw: string): Promise<void> {
  const link = externalLink(raw);
  if (link.action === 'refuse') {
    log.warn(`refused to open a link: ${link.reason}`);
    return;
  }
  const opts = {
    type: 'question' as const,
    buttons: ['Cancel', 'Open in browser'],
    defaultId: 0,
    cancelId: 0,
    message: 'Open this link in your web browser?',
    detail: link.url,
  };
  const { response } = owner ? await dialog.showMessageBox(owner, opts) : await dialog.showMessageBox(opts);
  if (response === 1) await shell.openExternal(link.url);
}

/** What no webContents of ours may do: navigate, be redirected, open windows, attach webviews. */
function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void openExternal(BrowserWindow.fromWebContents(contents), url);
    return { action: 'deny' };
  });
}

function openWindow(): BrowserWindow | null {
  if (!mayOpenWindow(windows.size)) {
    log.warn(`not opening another window: at most ${MAX_WINDOWS}`);
    return null;
  }
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'peerlab',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const id = win.webContents.id;
  windows.add(win);
  windowIds.add(id);
  win.on('closed', () => {
    windows.delete(win);
    windowIds.delete(id);
  });
  win.once('ready-to-show', () => win.show());
  // (navigation, redirects, new windows: refused by lockDown, installed on every webContents below)
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

function buildMenu(): void {
  const isMac = process.platform === 'darwin';
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(isMac ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          { label: 'New Window', accelerator: 'CmdOrCtrl+Shift+N', click: () => openWindow() },
          { type: 'separator' },
          isMac ? { role: 'close' } : { role: 'quit' },
        ],
      },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
}

app.enableSandbox();
// every webContents, including any we did not create on purpose
app.on('web-contents-created', (_e, contents) => lockDown(contents));

void app.whenReady().then(() => {
  // The CSP also sits in index.html; the header covers anything else a window might load.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // no permission is granted, asked for or merely checked (camera, microphone, notifications, ...)
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const root = app.getAppPath();
  // the lab's simulation worker is built beside this file (electron.vite.config.ts: lab-worker)
  const host = createHost({ scenariosDir: join(root, 'resources', 'scenarios'), workerEntry: new URL('./lab-worker.js', import.meta.url) });
  const detach = attachIpc({
    ipcMain,
    host,
    policy,
    targets: () => [...windows].map((w) => w.webContents),
    openWindow: () => void openWindow(),
  });
  buildMenu();
  openWindow();

  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    detach();
    void host.close();
  });
});
