/**
 * Number schemas the protocol drivers share, so every scenario key out of range gets the same kind of
 * message: `protocol.alpha: expected an integer in [1, 16]`.
 */
import { z } from 'zod';

/** An integer in [min, max]. */
export const intIn = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `expected an integer in [${min}, ${max}]` })
    .refine((x) => Number.isInteger(x) && x >= min && x <= max, { message: `expected an integer in [${min}, ${max}]` });

/** A finite number in [min, max]. */
export const numIn = (min: number, max = Infinity) =>
  z.number({ error: `expected a number in [${min}, ${max}]` }).refine((x) => Number.isFinite(x) && x >= min && x <= max, {
    message: `expected a number in [${min}, ${max}]`,
  });
