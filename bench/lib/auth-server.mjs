// Stub authorization server on its own 127.0.0.1 origin, so token requests from the pages
// are cross-origin and any CORS preflight really happens. It logs every request it gets:
// the login flow's network figures come from this log (and from Playwright's events).
import { createServer } from 'node:http';
import { codeFor, parseTokenRequestBody, tokenResponse } from '../page/token-response.js';
import { listen } from './listen.mjs';

export async function startAuthServer() {
  const log = [];
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url, origin);
    log.push({ method: req.method, path: url.pathname, headers: req.headers });
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'vary': 'Origin',
      'cache-control': 'no-store',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
      }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/authorize') {
      // The user "consents" at once: back to the client with a code, state and RFC 9207 iss.
      const q = url.searchParams;
      const redirect = new URL(q.get('redirect_uri'));
      redirect.searchParams.set('code', codeFor(q.get('nonce')));
      redirect.searchParams.set('state', q.get('state'));
      redirect.searchParams.set('iss', origin);
      res.writeHead(302, { location: redirect.href, 'cache-control': 'no-store' }).end();
      return;
    }
    if (req.method === 'POST' && (url.pathname === '/token' || url.pathname === '/oauth/token')) {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => { text += chunk; });
      req.on('end', () => {
        const body = tokenResponse(parseTokenRequestBody(text), origin);
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/.well-known/')) {
      // Served (and counted) so a library that insists on discovery still completes.
      res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      }));
      return;
    }
    res.writeHead(404, cors).end();
  });
  const listening = await listen(server);
  origin = listening.origin;
  return { ...listening, log };
}
