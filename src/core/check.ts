/**
 * The plain half of the validation kit (no packages, so the engine can use it): the one error type for
 * a configuration that cannot run, naming the key, and the checks the engine's hand-written validators
 * share. The zod half (schema.ts) produces the same wording for the sections written as schemas.
 */

/** One located problem: the dotted path of the bad key ('' for the whole input) and what is wrong. */
export interface ConfigIssue {
  path: string;
  problem: string;
}

/**
 * The one error type for input that cannot be used: each problem names the key that is wrong
 * (`network.loss`, `churn.on.meanMs`) and why. `new ConfigError(key, problem)` for one problem,
 * `new ConfigError(issues)` for several; the message lists them one per line, each after its path.
 * The lab's `ScenarioError` is one of these that also knows which file it came from.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly issues: ConfigIssue[];
  constructor(key: string, problem: string);
  constructor(issues: ConfigIssue[]);
  constructor(keyOrIssues: string | ConfigIssue[], problem?: string) {
    const issues = typeof keyOrIssues === 'string' ? [{ path: keyOrIssues, problem: problem ?? '' }] : keyOrIssues;
    super(issues.map((i) => (i.path ? `${i.path}: ${i.problem}` : i.problem)).join('\n'));
    this.issues = issues;
  }

  /** The path of the first problem. */
  get key(): string {
    return this.issues[0]?.path ?? '';
  }

  /** The first problem, without its path. */
  get problem(): string {
    return this.issues[0]?.problem ?? '';
  }
}

/** A short rendering of an input value for messages (bounded: a long string is cut). */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** A plain mapping (not null, not a list). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A number that is not NaN (Infinity passes: bounds decide). */
export function isNumber(v: unknown): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/** Throws ConfigError unless `v` is a number in [min, max] (or (min, max] with exclusiveMin). */
export function checkNumber(key: string, v: unknown, min: number, max = Infinity, opts: { exclusiveMin?: boolean } = {}): number {
  if (!isNumber(v)) throw new ConfigError(key, `expected a number, got ${show(v)}`);
  const lowOk = opts.exclusiveMin ? v > min : v >= min;
  if (!lowOk || v > max) {
    const want =
      max === Infinity ? `${opts.exclusiveMin ? '>' : '>='} ${min}` : `in ${opts.exclusiveMin ? '(' : '['}${min}, ${max}]`;
    throw new ConfigError(key, `expected a number ${want}, got ${v}`);
  }
  return v;
}

/** Throws ConfigError naming the first key of `obj` that is not allowed. */
export function checkKeys(prefix: string, obj: Record<string, unknown>, allowed: Iterable<string>): void {
  const set = allowed instanceof Set ? allowed : new Set(allowed);
  for (const k of Object.keys(obj))
    if (!set.has(k)) throw new ConfigError(`${prefix}.${k}`, `unknown key (expected one of ${[...set].join(', ')})`);
}

declare const CHECKED: unique symbol;
/** A configuration that its validator passed: engine install functions and drivers take these. */
export type Checked<T> = T & { readonly [CHECKED]: true };

/** Objects validators passed, with the fewest peers a world needs for them to hold (0: any world). */
const checkedFor = new WeakMap<object, number>();

/**
 * Records that `v` passed its validator, for worlds of at least `minPeers` peers (a partition naming
 * peer 99 holds only where there is a peer 99). An install function given such an object does not
 * check it again, so a scenario's sections are validated once, when it is parsed, while an object
 * built in code is still checked where it is installed. A checked object is not changed afterwards.
 */
export function markChecked<T extends object>(v: T, minPeers = 0): Checked<T> {
  checkedFor.set(v, minPeers);
  return v as Checked<T>;
}

/** Whether `v` passed its validator for a world of `peers` peers. */
export function isChecked<T extends object>(v: T, peers: number): v is Checked<T> {
  const min = checkedFor.get(v);
  return min !== undefined && min <= peers;
}
