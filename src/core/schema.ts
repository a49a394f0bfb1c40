/**
 * The zod half of the validation kit: number schemas every section shares, so a key out of range reads
 * the same everywhere (`protocol.alpha: expected an integer in [1, 16], got 0`), and zod's issues
 * rephrased for a scenario author under their full path. The plain half (check.ts, no packages) holds
 * the error type and the checks the engine's hand-written validators use, in the same wording.
 */
import { z } from 'zod';
import { show, type ConfigIssue } from './check.js';

function range(what: string, min: number, max: number, open: boolean): string {
  if (max === Infinity || max === Number.MAX_SAFE_INTEGER) return `expected ${what} ${open ? '>' : '>='} ${min}`;
  return `expected ${what} in ${open ? '(' : '['}${min}, ${max}]`;
}

/** An integer in [min, max]. */
export const intIn = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number().superRefine((x, ctx) => {
    if (!(Number.isInteger(x) && x >= min && x <= max)) ctx.addIssue({ code: 'custom', message: `${range('an integer', min, max, false)}, got ${show(x)}` });
  });

/** A finite number in [min, max]. */
export const numIn = (min: number, max = Infinity) =>
  z.number().superRefine((x, ctx) => {
    if (!(Number.isFinite(x) && x >= min && x <= max)) ctx.addIssue({ code: 'custom', message: `${range('a number', min, max, false)}, got ${show(x)}` });
  });

/** A finite number > min (default 0). */
export const numAbove = (min = 0) =>
  z.number().superRefine((x, ctx) => {
    if (!(Number.isFinite(x) && x > min)) ctx.addIssue({ code: 'custom', message: `${range('a number', min, Infinity, true)}, got ${show(x)}` });
  });

/** A path as a scenario author writes it: `network.bandwidth[0].up`. */
export function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) {
    if (typeof k === 'number') s += `[${k}]`;
    else s += s ? `.${String(k)}` : String(k);
  }
  return s;
}

/** zod's issues rephrased for a scenario author, each under its full path. */
export function zodIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const is of issues) {
    const path = [...prefix, ...is.path];
    if (is.code === 'unrecognized_keys') {
      for (const k of is.keys) out.push({ path: pathText([...path, k]), problem: 'unknown key' });
      continue;
    }
    out.push({ path: pathText(path), problem: describe(is) });
  }
  return out;
}

const DEFAULT_MESSAGE = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid number|Invalid discriminator|Unrecognized key|Invalid element|Invalid key|Invalid value)/;

function describe(is: z.core.$ZodIssue): string {
  const input = (is as { input?: unknown }).input;
  if (!DEFAULT_MESSAGE.test(is.message)) return is.message; // the schema's own wording
  switch (is.code) {
    case 'invalid_type': {
      const want = is.expected === 'int' ? 'an integer' : article(is.expected);
      if (input === undefined) return `missing (expected ${want})`;
      return `expected ${want}, got ${show(input)}`;
    }
    case 'too_small': {
      const min = String(is.minimum);
      if (is.origin === 'array' || is.origin === 'set') return `expected at least ${min} item${min === '1' ? '' : 's'}`;
      if (is.origin === 'string') return `expected at least ${min} character${min === '1' ? '' : 's'}`;
      return `expected a number ${is.inclusive ? '>=' : '>'} ${min}${input !== undefined ? `, got ${show(input)}` : ''}`;
    }
    case 'too_big': {
      const max = String(is.maximum);
      if (is.origin === 'array' || is.origin === 'set') return `expected at most ${max} items`;
      if (is.origin === 'string') return `expected at most ${max} characters`;
      return `expected a number ${is.inclusive ? '<=' : '<'} ${max}${input !== undefined ? `, got ${show(input)}` : ''}`;
    }
    case 'invalid_value':
      return `expected ${is.values.length === 1 ? show(is.values[0]) : `one of ${is.values.map(show).join(', ')}`}${input !== undefined ? `, got ${show(input)}` : ''}`;
    case 'invalid_union': {
      const d = is as { discriminator?: string; options?: unknown[] };
      if (d.options && d.options.length > 0) return `expected one of ${d.options.map(show).join(', ')}${input !== undefined ? `, got ${show(input)}` : ''}`;
      const branches = is.errors
        .map((errs) => (errs[0] ? describe(errs[0]) : ''))
        .filter((m) => m !== '');
      return branches.length > 0 ? [...new Set(branches)].join('; or ') : 'no alternative matches';
    }
    case 'invalid_format':
      return `expected ${is.format} format${input !== undefined ? `, got ${show(input)}` : ''}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(is.divisor)}`;
    default:
      return is.message;
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}
