/**
 * The live network's tabs, picked up by renderer/src/views.ts: the Editor (this window co-edits as a
 * peer) and the Live overlay (peers, links, traffic, sync state, controls). Loaded when first opened:
 * they carry CodeMirror, Yjs and WebRTC code the Lab tab does not need.
 */
import { defineAsyncComponent } from 'vue';
import type { ViewDef } from '../view-def.js';

export const views: ViewDef[] = [
  { id: 'editor', title: 'Editor', component: defineAsyncComponent(() => import('./EditorView.vue')), order: 10 },
  { id: 'live', title: 'Live overlay', component: defineAsyncComponent(() => import('./LiveOverlayView.vue')), order: 11 },
];
