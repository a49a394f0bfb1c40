/**
 * How every property-based test runs (fast-check): twice, first with a fixed seed (the same cases every
 * run, so a failure there reproduces anywhere), then with a fresh seed drawn for this process (new cases
 * every run, so the suite keeps exploring). A failure names its seed; `FC_SEED=<seed>` replays the fresh
 * run exactly (it then replaces the drawn seed). Call `fc.assert` only through `fuzz` / `fuzzAsync`
 * (eslint enforces it), so no property runs one fixed seed forever.
 */
import fc from 'fast-check';

/** The seed of the fixed run: the same cases on every machine and every run. */
export const FIXED_SEED = 20261125;

function drawSeed(): number {
  const env = process.env.FC_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(env)}`);
    return n | 0;
  }
  return crypto.getRandomValues(new Int32Array(1))[0]!;
}

/** This process's fresh seed (one per test file: vitest runs each file in its own worker). */
export const FRESH_SEED = drawSeed();

export interface FuzzOptions {
  /** Cases per run (each of the two runs). Default 100. */
  numRuns?: number;
  /** Seed of the fixed run. Default FIXED_SEED. */
  fixedSeed?: number;
}

function fail(e: unknown, seed: number, which: string): never {
  const err = e instanceof Error ? e : new Error(String(e));
  err.message = `property failed on the ${which} run, seed ${seed} (replay: FC_SEED=${seed}):\n${err.message}`;
  throw err;
}

export function fuzz<Ts>(property: fc.IProperty<Ts>, opts: FuzzOptions = {}): void {
  const numRuns = opts.numRuns ?? 100;
  const fixed = opts.fixedSeed ?? FIXED_SEED;
  if (process.env.FC_SEED === undefined || process.env.FC_SEED === '') {
    try {
      fc.assert(property, { seed: fixed, numRuns });
    } catch (e) {
      fail(e, fixed, 'fixed-seed');
    }
  }
  try {
    fc.assert(property, { seed: FRESH_SEED, numRuns });
  } catch (e) {
    fail(e, FRESH_SEED, 'fresh-seed');
  }
}

export async function fuzzAsync<Ts>(property: fc.IAsyncProperty<Ts>, opts: FuzzOptions = {}): Promise<void> {
  const numRuns = opts.numRuns ?? 100;
  const fixed = opts.fixedSeed ?? FIXED_SEED;
  if (process.env.FC_SEED === undefined || process.env.FC_SEED === '') {
    try {
      await fc.assert(property, { seed: fixed, numRuns });
    } catch (e) {
      fail(e, fixed, 'fixed-seed');
    }
  }
  try {
    await fc.assert(property, { seed: FRESH_SEED, numRuns });
  } catch (e) {
    fail(e, FRESH_SEED, 'fresh-seed');
  }
}
