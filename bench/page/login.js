// /login/<lib>: start one complete login with <lib> against the stub authorization server.
import { clientConfig, loadAdapter } from '/page/config.js';

const lib = location.pathname.split('/').pop();
const adapter = await loadAdapter(lib);
await adapter.login(await adapter.create(clientConfig(lib)));
