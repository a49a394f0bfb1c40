#!/usr/bin/env node
// The `peerlab` command. Runs the TypeScript sources directly through tsx's loader, so a fresh clone
// needs no build step before `npx peerlab`.
import { spawn } from 'node:child_process';

// Commands that simulate run with V8's young generation at START_FLAGS' size: a simulation allocates
// short-lived objects (messages, Yjs transactions and decoders) at a high rate, and with the default
// 16 MB semi-space most of them are still alive at each scavenge, so V8 copies them instead of letting
// them die (the sync simulation at 1,000 peers spends ~15% of its time in GC). The size can only be
// set when node starts (v8.setFlagsFromString leaves the young generation as it was), so the command
// starts itself again with it, unless PEERLAB_V8_TUNING=0 or the flag was given already. docs/sync.md
// has the measurement.
const START_FLAGS = ['--max-semi-space-size=64'];
const SIMULATING = new Set(['run', 'sweep', 'compare', 'bench']);
const child =
  process.env.PEERLAB_V8_TUNING !== '0' &&
  SIMULATING.has(process.argv[2] ?? '') &&
  !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))
    ? spawn(process.execPath, [...process.execArgv, ...START_FLAGS, ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
    : null;

if (child) {
  // the command runs in the child: pass signals on, and leave as it left
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  if (process.channel && process.env.PEERLAB_V8_TUNING !== '0' && process.execArgv.includes(START_FLAGS[0])) {
    // started by the command above: if it goes (even by SIGKILL), so does this run
    process.on('disconnect', () => process.exit(129));
    process.channel.unref();
  }
  const { register } = await import('tsx/esm/api');
  register();
  // the engine's V8 settings (src/sim/tuning.ts), before any simulation code is optimized
  const { applyV8Tuning } = await import('../src/host/v8-tuning.ts');
  applyV8Tuning();
  // `peerlab run ... | head`: a reader that stops early is not an error
  process.stdout.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const { main } = await import('../src/cli/main.ts');
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
