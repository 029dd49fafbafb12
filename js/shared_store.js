// The origin-wide store behind "local" token storage and the redeemed-callback marks:
// IndexedDB, whose readwrite transactions are serialised across every tab of the origin, so a
// write committed in one tab is what the next transaction in any tab reads (localStorage gives
// no such guarantee: another tab's write reaches this one asynchronously).
let opening;

function open() {
  opening ??= new Promise((resolve, reject) => {
    // Version 2 indexes the marks by expiry, so a claim sweeps only the expired ones.
    const request = indexedDB.open('pkce-wasm', 2);
    request.onupgradeneeded = (event) => {
      const store = event.oldVersion < 1 ? request.result.createObjectStore('kv') : request.transaction.objectStore('kv');
      store.createIndex('expires', 'expires');
    };
    request.onsuccess = () => {
      const db = request.result;
      // A tab with a newer version of this package upgrades the database: give way to it.
      db.onversionchange = () => {
        db.close();
        opening = undefined;
      };
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  });
  opening.catch(() => (opening = undefined)); // a failed open is retried next time
  return opening;
}

// Runs `body(store, done)` in one transaction; resolves to what `done` got once it committed.
function run(mode, body) {
  return open().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction('kv', mode);
    let result;
    body(tx.objectStore('kv'), (value) => (result = value));
    tx.oncomplete = () => resolve(result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  }));
}

/** Resolves to the text under `key`, or undefined. */
export function sharedGet(key) {
  return run('readonly', (store, done) => {
    const request = store.get(key);
    request.onsuccess = () => done(request.result?.text);
  });
}

/** Writes `text` (undefined: deletes) under `key` when `any` or when the text there is
 * `expected`; resolves to whether it wrote. */
export function sharedSwap(key, any, expected, text) {
  return run('readwrite', (store, done) => {
    const request = store.get(key);
    request.onsuccess = () => {
      if (!any && request.result?.text !== expected) return done(false);
      if (text === undefined) store.delete(key);
      else store.put({ text }, key);
      done(true);
    };
  });
}

/** The CryptoKeyPair under `key`; when there is none, `make()`'s, stored unless another tab
 * stored one first (then that one). Rejects without IndexedDB. */
export async function sharedKeyPair(key, make) {
  const get = (store, then) => (store.get(key).onsuccess = (event) => then(event.target.result?.pair));
  const held = await run('readonly', (store, done) => get(store, done));
  if (held) return held;
  const pair = await make();
  return run('readwrite', (store, done) => get(store, (first) => {
    if (!first) store.put({ pair }, key);
    done(first ?? pair);
  }));
}

/** Adds a mark under `key`, valid until `expires` (epoch ms), unless one is there: one `add`,
 * nothing else in its transaction; resolves to whether it added. Without IndexedDB (very old
 * browsers, some privacy modes) every claim succeeds, as tabs then cannot be told apart. */
export function sharedClaim(key, expires) {
  if (!hasIndexedDB()) return Promise.resolve(true);
  return run('readwrite', (store, done) => {
    const request = store.add({ expires }, key);
    request.onsuccess = () => done(true);
    request.onerror = (event) => {
      event.preventDefault(); // a ConstraintError (already marked) does not abort the transaction
      event.stopPropagation(); // nor reach tx.onerror
      done(false);
    };
  });
}

/** Drops the marks past their expiry (before `now`, epoch ms): after a callback, off its path.
 * A read-only count first, so that a sweep with nothing to drop writes (and holds up) nothing. */
export function sharedSweep(now) {
  const expired = IDBKeyRange.upperBound(now, true);
  return run('readonly', (store, done) => (store.index('expires').count(expired).onsuccess = (event) => done(event.target.result)))
    .then((count) => count && run('readwrite', (store) => {
      store.index('expires').openCursor(expired).onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        cursor.delete();
        cursor.continue();
      };
    }));
}

/** Starts opening the database ahead of its first use (a callback page's claim). */
export const sharedOpen = () => hasIndexedDB() && open();

// True when this realm has IndexedDB at all; its getter throws where site data is blocked.
function hasIndexedDB() {
  try {
    return typeof indexedDB == 'object' && indexedDB !== null;
  } catch {
    return false;
  }
}
