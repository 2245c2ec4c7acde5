// The service worker of the mobile and desktop client. The portal fills in the shell's file list and
// a version that changes with their content (portal/clients.py), so a deployment replaces the cache.
//  - The shell (HTML, modules, styles, icons) is precached and served cache-first: it opens offline.
//  - GraphQL queries sent over GET (the catalog, "my applications") go to the network first; the last
//    good answer is kept and served when the network is down, marked with `x-portal-offline: 1`.
//  - Signing out asks the worker to forget those answers.
const VERSION = "__SHELL_VERSION__";
const SHELL = __SHELL_FILES__;
const SHELL_CACHE = `portal-shell-${VERSION}`;
const DATA_CACHE = "portal-data";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("portal-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "forget-personal-data") event.waitUntil(caches.delete(DATA_CACHE));
});

async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      const body = await response.clone().json();
      if (!body.errors) await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (!cached) throw error;
    const headers = new Headers(cached.headers);
    headers.set("x-portal-offline", "1");
    return new Response(await cached.blob(), { status: 200, headers });
  }
}

async function shellFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  // ignoreVary: the portal answers with `Vary: Origin`, and module scripts are requested with an Origin
  // header that the precache requests did not have.
  const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true })
    ?? (request.mode === "navigate" ? await cache.match("/m/") : undefined);
  if (cached) {
    // Refresh in the background so that the next start has the newest files of this version.
    fetch(request).then((response) => response.ok && cache.put(request, response)).catch(() => {});
    return cached;
  }
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/graphql") {
    event.respondWith(networkFirst(event.request));
  } else if (url.pathname.startsWith("/m/") || url.pathname.startsWith("/shared/")) {
    event.respondWith(shellFirst(event.request));
  }
});
