// Entry of a lab worker thread: registers tsx's loader in this thread (workers do not inherit it),
// then loads the TypeScript worker, as bin/peerlab.mjs does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
