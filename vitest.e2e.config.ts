// End-to-end tests: test/e2e/**/*.e2e.test.ts, each driving Debian's Chromium (playwright-core) against a
// real `peerlab serve`. Run by `npm test` after the renderer build, inside a loopback-only namespace as root.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // every test must run at least one expect (test/setup-assertions.ts)
    setupFiles: ['test/setup-assertions.ts'],
    // Browsers are heavy on 2 cores: one e2e file at a time.
    fileParallelism: false,
  },
});
