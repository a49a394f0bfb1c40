/**
 * The app's tabs. The lab view is built in; other areas plug theirs in without touching this file:
 * `renderer/src/live/views.ts` (the live network's Editor and Live overlay views) exports
 * `views: ViewDef[]` and is picked up here at build time if it exists.
 */
import type { ViewDef } from './view-def.js';
import LabView from './views/LabView.vue';

const extensions = import.meta.glob<{ views: ViewDef[] }>('./live/views.ts', { eager: true });

export const views: ViewDef[] = [
  { id: 'lab', title: 'Lab', component: LabView, order: 0 },
  ...Object.values(extensions).flatMap((m) => m.views ?? []),
].sort((a, b) => (a.order ?? 100) - (b.order ?? 100));

export function viewFromHash(hash: string): ViewDef {
  const id = hash.replace(/^#\/?/, '');
  return views.find((v) => v.id === id) ?? (views[0] as ViewDef);
}
