import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { connectBridge, provideBridge } from './bridge/connectBridge';
import './styles/theme.css';

provideBridge(connectBridge());
createApp(App).use(createPinia()).mount('#app');
