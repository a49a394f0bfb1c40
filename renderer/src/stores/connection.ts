import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useHost, type ConnectionStatus } from '../host/client.js';

/** The host connection's status, for the badge in the top bar. */
export const useConnection = defineStore('connection', () => {
  const status = ref<ConnectionStatus>('connecting');
  useHost().onStatus((s) => (status.value = s));
  return { status };
});
