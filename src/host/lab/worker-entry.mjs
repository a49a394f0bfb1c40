// Entry of the lab's simulation worker when running from source: registers tsx's loader in this
// thread (workers do not inherit it), then loads the TypeScript worker. A bundled build (Electron's
// main) points LabHost at its compiled worker instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
