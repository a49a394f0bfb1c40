// electron-vite: three builds from the top-level folders main/ (Electron main process), main/preload/
// (CommonJS: a sandboxed preload cannot be ESM) and renderer/ (Vue app), into out/. `npm run build`
// works without the Electron binary; `peerlab serve` serves out/renderer to a browser.
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: { input: { index: resolve(root, 'main/index.ts'), 'lab-worker': resolve(root, 'src/host/lab/worker.ts') } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed preloads get no require of node_modules: bundle everything into one CJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // minified: the browser fallback loads it over HTTP on every start (4.2 MB unminified)
      minify: true,
      chunkSizeWarningLimit: 2000,
      rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
