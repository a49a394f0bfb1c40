/// <reference types="vite/client" />
import type { PeerlabBridge } from '../../src/host/bridge.js';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Set by Electron's preload; absent in a browser. */
    peerlab?: PeerlabBridge;
  }
}
