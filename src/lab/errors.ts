/** The lab's input errors: a scenario (or an override of one) that cannot run, with located problems. */
import { ConfigError, type ConfigIssue } from '../core/check.js';

/** Dotted path of the bad key (`protocol.fanout`, `network.bandwidth[0].up`; '' for the whole file) and the problem. */
export type ScenarioIssue = ConfigIssue;

/**
 * A scenario that cannot run: the kernel's ConfigError (every problem with its path, one per line in
 * `message`) plus the file it came from.
 */
export class ScenarioError extends ConfigError {
  override name = 'ScenarioError';
  constructor(
    issues: ScenarioIssue[],
    readonly source = '<inline>',
  ) {
    super(issues);
  }
}
