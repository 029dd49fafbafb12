// The libraries compared, in table order. `npm` names the package whose installed
// package.json gives the version; pkce-wasm's version comes from ../pkg/package.json.
// `peersMd` is the gzip size PEERS.md (shared notes, 2026-11) recorded for the same
// entry, kept here so every run cross-checks its own measurement against it.
export const libraries = [
  { id: 'pkce-wasm', npm: null, peersMd: null },
  { id: 'oauth4webapi', npm: 'oauth4webapi', peersMd: '6.6 KiB (code-flow subset)' },
  { id: 'oidc-client-ts', npm: 'oidc-client-ts', peersMd: '17.1 KiB (UserManager)' },
  { id: 'auth0-spa-js', npm: '@auth0/auth0-spa-js', peersMd: '62.7 KiB' },
  { id: 'oauth2-client', npm: '@badgateway/oauth2-client', peersMd: '3.8 KiB' },
];

export const peers = libraries.filter((lib) => lib.npm);
