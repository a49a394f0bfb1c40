/**
 * Applies the engine's V8 settings (src/sim/tuning.ts explains them) to this process before the
 * simulation code is optimized: bin/peerlab.mjs and the Electron main process call it first thing.
 * Benchmarks report what was applied, so their figures say how they were made.
 */
import { setFlagsFromString } from 'node:v8';
import { V8_FLAGS } from '../sim/tuning.js';

let applied: readonly string[] = [];

/** Sets V8_FLAGS unless PEERLAB_V8_TUNING=0. Returns the flags set. */
export function applyV8Tuning(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  if (env.PEERLAB_V8_TUNING === '0') return applied;
  for (const flag of V8_FLAGS) setFlagsFromString(flag);
  applied = V8_FLAGS;
  return applied;
}

/** The flags applyV8Tuning set in this process (none if it was not called or was turned off). */
export function v8Tuning(): readonly string[] {
  return applied;
}
