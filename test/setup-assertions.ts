// Every test must assert something: a test whose body runs no `expect` fails ("expected at least one
// assertion to be called"). A helper that throws on failure is not enough on its own: end with an
// expect on what it returned. (Loaded by vitest.config.ts and vitest.e2e.config.ts as a setup file.)
import { beforeEach, expect } from 'vitest';

beforeEach(() => {
  expect.hasAssertions();
});
