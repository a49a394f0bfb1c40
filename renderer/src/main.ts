// Renderer entry: pick the host transport (IPC inside Electron, WebSocket in a browser), then mount.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { connectHost, setHost } from './host/client.js';
import './style.css';

const client = connectHost();
setHost(client);
createApp(App).use(createPinia()).mount('#app');
