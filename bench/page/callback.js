// /cb/<lib>: the redirect URI. Finishes the login and reports to the driver through the
// `benchDone` binding it exposed (no polling).
import { clientConfig, loadAdapter } from '/page/config.js';

const lib = location.pathname.split('/').pop();
try {
  const adapter = await loadAdapter(lib);
  const token = await adapter.callback(await adapter.create(clientConfig(lib)), location.href);
  await window.benchDone({ ok: true, token, url: location.href });
} catch (e) {
  await window.benchDone({ ok: false, error: `${e?.name}: ${e?.code ?? ''} ${e?.message}` });
}
