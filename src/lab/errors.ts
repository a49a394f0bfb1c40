/** The lab's input errors: a scenario (or an override of one) that cannot run, with located problems. */

export interface ScenarioIssue {
  /** Dotted path of the bad key (`protocol.fanout`, `network.bandwidth[0].up`); '' for the whole file. */
  path: string;
  problem: string;
}

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

/** A short rendering of an input value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}
