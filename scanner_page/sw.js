// Service worker of the scanner (scope /scan): the app shell and the log key are cached so the scanner opens
// offline; proof bundles are fetched from the network first and, offline, from the copies the page saved
// after verifying them (cache "ocop-proofs-v1"). A cached bundle is verified again, like a fresh one.
//
// The server writes the shell's list and the cache's name when it serves this file (tracer/web/scanner.py):
// the files' content-hashed names (/scan/app.<hash>.js), which never change, so they are answered from the
// cache without asking the network, and a new release is a new cache. Two files are not precached: jsQR,
// fetched only by browsers without BarcodeDetector, and the Ed25519 fallback (vendor/noble-ed25519.js),
// imported only where WebCrypto has no Ed25519; each is kept in the cache when first fetched, so a phone
// that needs one has it offline from its first scan on.

const SHELL_CACHE = "ocop-scan-dev";
const PROOFS = "ocop-proofs-v1";
const SHELL = ["/scan", "/scan/app.css", "/scan/app.js", "/scan/bytes.js", "/scan/decode.js", "/scan/outbox.js", "/scan/verify.js", "/scan/trust.js",
  "/scan/i18n.js", "/scan/vmap.js", "/scan/tiles.js", "/scan/witness.js",
  "/scan/manifest.webmanifest", "/scan/icons/icon-192.png"];
const HASHED = /^\/scan\/.+\.[0-9a-f]{12}\.[a-z]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL);
    try { await cache.add("/api/v1/ledger/keys"); } catch { /* the key is also embedded in /scan */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== SHELL_CACHE && name !== PROOFS) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request, cacheName, keep) {
  try {
    const response = await fetch(request);
    if (keep && response.ok) (await caches.open(cacheName)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreSearch: true, cacheName });
    if (cached) return cached;
    throw error;
  }
}

// A hashed name's bytes never change: the cached copy is the answer; a miss is fetched once and kept.
async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(event, request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => {}));
    return cached;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  const path = url.pathname;
  if (path === "/scan" || path === "/scan/") {
    event.respondWith(networkFirst(new Request("/scan"), SHELL_CACHE, true));
  } else if (HASHED.test(path)) {
    event.respondWith(cacheFirst(request));
  } else if (path.startsWith("/scan/") && path !== "/scan/session" && path !== "/scan/photos") {
    event.respondWith(staleWhileRevalidate(event, request));
  } else if (/^\/api\/v1\/packages\/[^/]+\/proof$/.test(path)) {
    event.respondWith(networkFirst(request, PROOFS, false));
  } else if (path === "/api/v1/ledger/keys") {
    event.respondWith(networkFirst(request, SHELL_CACHE, true));
  }
});
