/**
 * The live network's tabs, picked up by renderer/src/views.ts: the Editor (this window co-edits as a
 * peer) and the Live overlay (peers, links, traffic, sync state, controls).
 */
import type { ViewDef } from '../view-def.js';
import EditorView from './EditorView.vue';
import LiveOverlayView from './LiveOverlayView.vue';

export const views: ViewDef[] = [
  { id: 'editor', title: 'Editor', component: EditorView, order: 10 },
  { id: 'live', title: 'Live overlay', component: LiveOverlayView, order: 11 },
];
