/** A tab of the app. Areas add theirs (see views.ts); `id` is also the hash route (`#/lab`). */
import type { Component } from 'vue';

export interface ViewDef {
  id: string;
  title: string;
  component: Component;
  /** Lower comes first; the lab view is 0. */
  order?: number;
}
