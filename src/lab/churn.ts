/**
 * The scenario's `churn` section, handed to the engine's churn model (src/sim/churn.ts). Validation
 * is the engine's (`validateChurnConfig`), so the scenario format and the engine never disagree
 * about a key. The one thing added here: times may be written as durations (`meanMs: 30m`), as
 * everywhere else in a scenario.
 */
import { installChurn, validateChurnConfig, type Churn, type ChurnConfig } from '../sim/churn.js';
import type { World } from '../sim/index.js';
import { ScenarioError } from './errors.js';
import { convertUnits } from './units.js';

export type { ChurnConfig } from '../sim/churn.js';

/** Reads unit strings under time keys (`meanMs: 30m`), then validates with the engine. */
export function validateChurn(v: unknown, prefix: string): ChurnConfig {
  const issues: { path: string; problem: string }[] = [];
  const converted = convertUnits(v, prefix, issues);
  if (issues.length > 0) throw new ScenarioError(issues);
  return validateChurnConfig(converted, prefix);
}

export function installScenarioChurn(world: World, cfg: ChurnConfig): Churn {
  return installChurn(world, cfg);
}
