/**
 * Import rules of DESIGN.md: dependencies point one way
 *   renderer -> host (types only),  main -> host -> lab/live -> protocols -> sim -> core
 * (everyone may import core, the kernel) and there are no cycles. `npm test` runs this over src, main,
 * renderer/src, scripts and bin. docs/architecture.md draws the same picture.
 */
/** Every kind of dependency on a package (as opposed to our own files or Node builtins). */
const PACKAGES = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order and ownership unclear.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-nothing-of-ours',
      severity: 'error',
      comment: 'src/core is the kernel under everything: it imports nothing of ours outside src/core.',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/', dependencyTypesNot: ['core', ...PACKAGES] },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      comment: 'src/core runs in a worker, a browser and a test: no node:* builtins.',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-only-zod',
      severity: 'error',
      comment: 'The kernel uses one package, zod (the validation kit, in schema.ts).',
      from: { path: '^src/core/' },
      to: { dependencyTypes: PACKAGES, pathNot: 'node_modules/zod/' },
    },
    {
      name: 'core-index-without-packages',
      severity: 'error',
      comment: 'src/core/index.ts carries no package (a browser peer and the engine take it); schema.ts (zod) is imported by name.',
      from: { path: '^src/core/index\\.ts$' },
      to: { path: '^src/core/schema\\.ts$' },
    },
    {
      name: 'sim-imports-only-core',
      severity: 'error',
      comment: 'src/sim runs anywhere (worker, browser, test): it imports nothing of ours but src/core.',
      from: { path: '^src/sim/' },
      to: { pathNot: '^src/(sim|core)/', dependencyTypesNot: ['core', ...PACKAGES] },
    },
    {
      name: 'sim-core-without-packages',
      severity: 'error',
      comment: 'The engine imports no packages, so not the zod half of the validation kit (src/core/schema.ts).',
      from: { path: '^src/sim/' },
      to: { path: '^src/core/schema\\.ts$' },
    },
    {
      name: 'sim-no-node-builtins',
      severity: 'error',
      comment: 'src/sim may not use Node builtins (node:fs, node:crypto, ...).',
      from: { path: '^src/sim/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'sim-no-npm',
      severity: 'error',
      comment: 'src/sim imports no packages (no Node, DOM or Electron).',
      from: { path: '^src/sim/' },
      to: { dependencyTypes: PACKAGES },
    },
    {
      name: 'protocols-only-sim',
      severity: 'error',
      comment: 'Protocols may import src/core, src/sim and packages, not lab/live/host/cli/main/renderer.',
      from: { path: '^src/protocols/' },
      to: { path: '^(src/(lab|live|host|cli)|main|renderer)/' },
    },
    {
      name: 'protocols-no-node-builtins',
      severity: 'error',
      comment: 'Protocol cores are sans-IO and run in the browser too: no node:* builtins.',
      from: { path: '^src/protocols/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'lab-live-not-upward',
      severity: 'error',
      comment: 'lab and live sit below host/cli/main.',
      from: { path: '^src/(lab|live)/' },
      to: { path: '^(src/(host|cli)|main|renderer)/' },
    },
    {
      name: 'bench-only-from-cli',
      severity: 'error',
      comment: 'src/bench (the runner and the measured cases) sits beside cli: only cli runs it; nothing it measures imports it.',
      from: { pathNot: '^src/(bench|cli)/' },
      to: { path: '^src/bench/' },
    },
    {
      name: 'host-not-upward',
      severity: 'error',
      comment: 'host sits below cli and main.',
      from: { path: '^src/host/' },
      to: { path: '^(src/cli|main|renderer)/' },
    },
    {
      name: 'renderer-host-types-only',
      severity: 'error',
      comment: 'The renderer talks to the host over a transport; it may import host types, nothing else of src/.',
      from: { path: '^renderer/' },
      // (live) a window is itself a live peer: renderer/src/live may run src/live/browser-peer.ts, which
      // the rule 'live-browser-safe' keeps free of Node builtins. src/core/format.ts (pure, import-free) is
      // the one number format of views and reports.
      to: { path: '^src/', pathNot: '^src/host/|^src/live/browser-peer\\.ts$|^src/core/format\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'live-browser-safe',
      severity: 'error',
      comment: 'What a browser peer runs (src/live/browser-peer.ts and what it imports) uses no Node builtins.',
      from: { path: '^src/live/(browser-peer|edits|ice|link|overlay/|signaling/(client|crypto)|trust-keys|trust-view)' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-host-only-type-imports',
      severity: 'error',
      comment:
        'Host code is Node-side: the renderer imports its types only (`import type`), and the pure files thin.ts and live/live-frame.ts (the live picture the Live view draws and recordings store).',
      from: { path: '^renderer/' },
      to: { path: '^src/host/', pathNot: '^src/host/(thin|live/live-frame)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-not-main',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^main/' },
    },
    {
      name: 'src-not-shell',
      severity: 'error',
      comment: 'The library (src/) knows nothing of the Electron shell or the UI.',
      from: { path: '^src/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'no-electron-outside-main',
      severity: 'error',
      comment: 'Only main/ may import electron.',
      from: { pathNot: '^main/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.vue', '.json'] },
    exclude: { path: '^(renderer/)?(out|dist|test-results)/' },
  },
};
