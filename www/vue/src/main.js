import { createApp } from 'vue';

import App from './App.vue';
import { createAuth } from './auth.js';

// Where to sign in: deployed next to the app, so one build works anywhere.
const config = await (await fetch('/config.json')).json();

createApp(App).use(createAuth(config)).mount('#app');
