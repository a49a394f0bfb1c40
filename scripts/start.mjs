#!/usr/bin/env node
// `npm start`: build what is missing, then open the desktop app with Electron. Where Electron cannot
// run (its binary could not be downloaded, or there is no display), serve the same renderer and
// LabHost to a browser on 127.0.0.1 instead (`peerlab serve`) and say plainly why.
//
//   npm start                      Electron, or http://127.0.0.1:5173/ (a free port if that one is taken)
//   npm start -- --port 8080       the port for the browser fallback
//   npm start -- --browser         skip Electron: always serve to a browser
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const wantPort = portArg >= 0 ? Number(args[portArg + 1]) : null;
const browserOnly = args.includes('--browser');

function built() {
  return ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((f) => existsSync(join(root, f)));
}

if (!built()) {
  console.log('peerlab: building (electron-vite build) ...');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('peerlab: the build failed (see above); fix it or run npm run build');
    process.exit(1);
  }
}

/**
 * Asks `require('electron')` for the binary's path in a child process with a deadline: on machines
 * without general internet its lazy download fails (or hangs), and we must not hang with it.
 */
function probeElectron() {
  const code = "try { const p = require('electron'); process.stdout.write(String(p)); } catch (e) { process.stderr.write(String(e && e.message || e)); process.exit(3); }";
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  if (r.error && r.error.code === 'ETIMEDOUT') return { ok: false, why: "require('electron') did not finish within 20 s (its binary download is stuck)" };
  if (r.status === 0 && r.stdout && existsSync(r.stdout.trim())) return { ok: true, bin: r.stdout.trim() };
  const msg = (r.stderr || r.stdout || '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^Downloading/.test(l));
  const fetchFailed = /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT/.test(r.stderr ?? '');
  return {
    ok: false,
    why: fetchFailed
      ? "Electron's binary is not installed and could not be downloaded (no route to its download server from this machine)"
      : `require('electron') failed: ${msg[0] ?? `exit ${r.status}`}`,
  };
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function serveInBrowser(why) {
  console.log(`peerlab: no desktop window: ${why}.`);
  console.log('peerlab: serving the same dashboard to your browser instead (Ctrl+C stops).');
  let port = wantPort ?? 5173;
  if (wantPort === null && !(await portFree(port))) port = 0;
  const child = spawn(process.execPath, [join(root, 'bin', 'peerlab.mjs'), 'serve', '--no-build', '--port', String(port)], { cwd: root, stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (browserOnly) {
  await serveInBrowser('--browser was given');
} else {
  const probe = probeElectron();
  const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  if (!probe.ok) await serveInBrowser(probe.why);
  else if (noDisplay) await serveInBrowser('there is no display (DISPLAY and WAYLAND_DISPLAY are unset); under X, run npm start from a desktop session, or use xvfb-run');
  else {
    console.log(`peerlab: starting Electron (${probe.bin})`);
    const started = Date.now();
    const child = spawn(probe.bin, ['.'], { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => void serveInBrowser(`Electron could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      // A crash within seconds of launch means Electron cannot run here: fall back rather than leave nothing.
      if (code !== 0 && Date.now() - started < 10_000) void serveInBrowser(`Electron exited at start (${signal ?? `code ${code}`})`);
      else process.exit(code ?? 0);
    });
  }
}
