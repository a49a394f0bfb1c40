/**
 * V8 settings the engine is tuned for, applied by the entry points that run simulations (the `peerlab`
 * command, bin/peerlab.mjs, and the Electron main process), not by the engine itself (src/sim imports
 * nothing of Node).
 *
 * Why: TurboFan inlines callees into an optimized function until their bytecode adds up to a budget
 * (`--max-inlined-bytecode-size-cumulative`, default 920 bytes). The run loop inlines the queue's pop and
 * then the handlers it dispatches to; with the default budget that is spent before a handler's own
 * `schedule()` chain is reached, so those calls stay out of line and every floating-point delay passed
 * to them is boxed into a fresh heap number (~16 B of garbage per event, seen in the sampling heap
 * profiler). A budget of 2000 keeps the chain inline: 1.19x on `peerlab bench engine` (median of 10
 * pinned alternating process pairs; 4000 gave 1.15x, i.e. no more). Set `PEERLAB_V8_TUNING=0` to run
 * without it (for A/B runs).
 */
export const V8_FLAGS: readonly string[] = ['--max-inlined-bytecode-size-cumulative=2000'];
