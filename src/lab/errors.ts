/** The lab's input errors: a scenario (or an override of one) that cannot run, with located problems. */
import type { ConfigIssue } from '../core/check.js';

/** Dotted path of the bad key (`protocol.fanout`, `network.bandwidth[0].up`; '' for the whole file) and the problem. */
export type ScenarioIssue = ConfigIssue;

/** A scenario that cannot run. `message` lists every problem, one per line, each starting with its path. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    readonly issues: ScenarioIssue[],
    readonly source = '<inline>',
  ) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.problem}` : i.problem)).join('\n'));
  }
}
