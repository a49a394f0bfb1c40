/**
 * The scenario's `churn` section, handed to the engine's churn model (src/sim/churn.ts). Validation
 * is the engine's (`validateChurnConfig`), so the scenario format and the engine never disagree
 * about a key. The one thing added here: times may be written as durations (`meanMs: 30m`), as
 * everywhere else in a scenario.
 */
import { installChurn, validateChurnConfig, type Churn, type ChurnConfig } from '../sim/churn.js';
import type { World } from '../sim/index.js';
import { ScenarioError, show } from './errors.js';
import { parseDuration } from './units.js';

export type { ChurnConfig } from '../sim/churn.js';

/** Converts duration strings under time keys (`...Ms`, `ms`) to numbers, then validates. */
export function validateChurn(v: unknown, prefix: string): ChurnConfig {
  const issues: { path: string; problem: string }[] = [];
  const converted = convertDurations(v, prefix, issues);
  if (issues.length > 0) throw new ScenarioError(issues);
  return validateChurnConfig(converted, prefix);
}

function convertDurations(v: unknown, path: string, issues: { path: string; problem: string }[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => convertDurations(x, `${path}[${i}]`, issues));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if ((k.endsWith('Ms') || k === 'ms') && typeof x === 'string') {
      const ms = parseDuration(x);
      if (ms === null) issues.push({ path: `${path}.${k}`, problem: `expected a duration such as 30s, 10m or a number of milliseconds, got ${show(x)}` });
      out[k] = ms ?? x;
    } else out[k] = convertDurations(x, `${path}.${k}`, issues);
  }
  return out;
}

export function installScenarioChurn(world: World, cfg: ChurnConfig): Churn {
  return installChurn(world, cfg);
}
