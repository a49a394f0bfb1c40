#!/usr/bin/env node
// The `peerlab` command. Runs the TypeScript sources directly through tsx's loader, so a fresh clone
// needs no build step before `npx peerlab`.
import { register } from 'tsx/esm/api';

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
