#!/usr/bin/env node
// `npm test`: every check peerlab has, in order, with a summary at the end. Runs every step even after
// a failure (so one run shows everything that is wrong) and exits non-zero if any step failed.
//
//   node scripts/test.mjs                 all steps
//   node scripts/test.mjs --only lint,unit
//   node scripts/test.mjs --skip e2e
//
// Steps: typecheck (tsc), vue-tsc (renderer), lint (eslint), deps (dependency-cruiser), unit (vitest,
// everything under test/ except test/live and test/e2e), live (test/live), build (electron-vite, the
// renderer e2e serves), e2e (Chromium via playwright-core). live and e2e run inside a fresh network
// namespace holding only loopback when we are root (`unshare -n`), so no test can reach the network.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failuresOf, firstLine } from './test-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function parseList(flag) {
  const i = process.argv.indexOf(flag);
  if (i < 0) return null;
  return new Set((process.argv[i + 1] ?? '').split(',').filter(Boolean));
}
const only = parseList('--only');
const skip = parseList('--skip') ?? new Set();

/** Whether `unshare -n` works here (root in a container may still lack the capability). */
function loopbackNamespaceWorks() {
  if (!isRoot) return false;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return r.status === 0;
}

function quote(a) {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
/** Runs argv inside a loopback-only network namespace when possible. */
function isolated(argv) {
  if (!netns) return argv;
  return ['unshare', '-n', 'sh', '-c', `ip link set lo up && exec ${argv.map(quote).join(' ')}`];
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
const chromiumPath = () => [process.env.PEERLAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean).find((p) => existsSync(p));

/**
 * The system tools each step's tests run, with the Debian package of each. Those tests fail (never
 * skip) when a tool is missing, so CI cannot pass without them. PEERLAB_SKIP_INTEROP=1 skips the
 * BitTorrent interop tests on purpose (outside CI only).
 */
const skipInterop = process.env.PEERLAB_SKIP_INTEROP === '1' && !process.env.CI;
const TOOLS = {
  // BitTorrent interop tests (test/protocols/bittorrent/interop.test.ts)
  unit: skipInterop ? [] : [
    { has: () => onPath('mktorrent'), pkg: 'mktorrent' },
    { has: () => onPath('transmission-create') && onPath('transmission-show'), pkg: 'transmission-cli' },
  ],
  // the TURN relay test (coturn), the Chromium pages of browser/large-doc tests, `ip` for the namespace
  live: [
    { has: () => onPath('turnserver'), pkg: 'coturn' },
    { has: () => chromiumPath() !== undefined, pkg: 'chromium' },
    { has: () => onPath('ip'), pkg: 'iproute2' },
  ],
  e2e: [
    { has: () => chromiumPath() !== undefined, pkg: 'chromium' },
    { has: () => onPath('ip'), pkg: 'iproute2' },
  ],
};

/** Installs, in one apt-get run as root on Debian, what the selected steps need and is missing; else says how. */
function ensureSystemPackages(stepNames) {
  const missing = [...new Set(stepNames.flatMap((n) => (TOOLS[n] ?? []).filter((t) => !t.has()).map((t) => t.pkg)))];
  if (missing.length === 0) return;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log(`[test] missing system packages: apt-get install -y ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    if (upd.status === 0) spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  const still = [...new Set(stepNames.flatMap((n) => (TOOLS[n] ?? []).filter((t) => !t.has()).map((t) => t.pkg)))];
  if (still.length > 0)
    console.error(`[test] the tests that need ${still.join(', ')} will fail. Run:\n    sudo apt-get update && sudo apt-get install -y ${still.join(' ')}\n  then npm test again.`);
}

/** The e2e step cannot start without Chromium: say how to get it instead of failing in every file. */
function ensureChromium() {
  if (chromiumPath() !== undefined) return { ok: true };
  return {
    ok: false,
    why: 'Chromium is not installed and could not be installed here. Run:\n    sudo apt-get update && sudo apt-get install -y chromium\n  (or set PEERLAB_CHROMIUM to a Chromium binary), then npm test again.',
  };
}

// system packages first: `ip` decides whether the loopback-only namespace can be used
const STEP_NAMES = ['typecheck', 'vue-tsc', 'lint', 'deps', 'unit', 'live', 'build', 'e2e'];
ensureSystemPackages(STEP_NAMES.filter((n) => !((only && !only.has(n)) || skip.has(n))));
const netns = loopbackNamespaceWorks();

/** Vitest reporters for a step: the usual console output plus a JSON file we count tests from. */
const countsDir = join(root, 'test-results', 'counts');
function counted(step) {
  return ['--reporter=default', '--reporter=json', `--outputFile.json=${join(countsDir, `${step}.json`)}`];
}
rmSync(countsDir, { recursive: true, force: true });
mkdirSync(countsDir, { recursive: true });

const steps = [
  { name: 'typecheck', argv: [bin('tsc'), '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'vue-tsc', argv: [bin('vue-tsc'), '--noEmit', '-p', 'renderer/tsconfig.json'] },
  { name: 'lint', argv: [bin('eslint'), '.', '--max-warnings', '0'] },
  {
    name: 'deps',
    argv: [bin('depcruise'), '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src', 'main', 'renderer/src', 'scripts', 'bin'],
  },
  { name: 'unit', argv: [bin('vitest'), 'run', '--exclude', 'test/live/**', '--exclude', 'test/e2e/**', ...counted('unit')] },
  { name: 'live', argv: isolated([bin('vitest'), 'run', 'test/live', '--passWithNoTests', '--no-file-parallelism', ...counted('live')]), when: () => existsSync(join(root, 'test/live')) },
  { name: 'build', argv: [bin('electron-vite'), 'build'] },
  {
    name: 'e2e',
    before: ensureChromium,
    argv: isolated([bin('vitest'), 'run', '-c', 'vitest.e2e.config.ts', ...counted('e2e')]),
  },
];

function run(argv) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } });
    child.on('error', (err) => {
      console.error(`[test] could not start ${argv[0]}: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const results = [];
const t0 = Date.now();
console.log(`[test] network namespace for live/e2e: ${netns ? 'yes (unshare -n, loopback only)' : 'no (not root or unshare unavailable): running directly'}`);
for (const step of steps) {
  if ((only && !only.has(step.name)) || skip.has(step.name)) continue;
  if (step.when && !step.when()) {
    results.push({ name: step.name, status: 'skipped', ms: 0, note: 'nothing to run' });
    continue;
  }
  console.log(`\n[test] ── ${step.name} ──  ${step.argv.map(quote).join(' ')}`);
  const start = Date.now();
  if (step.before) {
    const pre = step.before();
    if (!pre.ok) {
      console.error(`[test] ${step.name}: ${pre.why}`);
      results.push({ name: step.name, status: 'FAILED', ms: Date.now() - start, note: pre.why.split('\n')[0] });
      continue;
    }
  }
  const code = await run(step.argv);
  results.push({ name: step.name, status: code === 0 ? 'ok' : 'FAILED', ms: Date.now() - start, note: code === 0 ? '' : `exit code ${code}` });
}

const failed = results.filter((r) => r.status === 'FAILED');
console.log('\n[test] ── summary ──');
for (const r of results) {
  console.log(`  ${r.status.padEnd(8)} ${r.name.padEnd(10)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.note}`);
}
console.log(`  total ${((Date.now() - t0) / 1000).toFixed(1)} s: ${failed.length === 0 ? 'all passed' : `${failed.length} failed (${failed.map((r) => r.name).join(', ')})`}`);

// One plain closing line with the number of tests across all vitest steps (CI reads it), after the
// names of the failed tests.
let passed = 0;
let failedTests = 0;
let skipped = 0;
const failures = [];
for (const r of results) {
  const file = join(countsDir, `${r.name}.json`);
  if (!existsSync(file)) continue;
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    passed += j.numPassedTests ?? 0;
    failedTests += j.numFailedTests ?? 0;
    skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    const found = failuresOf(r.name, j, root);
    // vitest exits non-zero for an error outside every test and file too (an unhandled rejection)
    if (r.status === 'FAILED' && found.length === 0) found.push(`${r.name}: ${r.note} with no failed test in its report (an unhandled error? see its output above)`);
    failures.push(...found);
  } catch (e) {
    failedTests += 1;
    failures.push(`${r.name}: its report ${relative(root, file)} is unreadable (${firstLine(e.message)})`);
  }
}
if (failures.length > 0) {
  console.log(`\n[test] ── failed (${failures.length}) ──`);
  for (const f of failures) console.log(`  ${f}`);
}
// a step that failed without a test failing (typecheck, lint, a crashed runner) still counts as a failure
const stepFailuresWithoutTests = failed.filter((r) => !existsSync(join(countsDir, `${r.name}.json`))).length;
console.log(`tests: ${passed} passed, ${failedTests + stepFailuresWithoutTests} failed, ${skipped} skipped`);
process.exitCode = failed.length === 0 ? 0 : 1;
