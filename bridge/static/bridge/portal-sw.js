// The participant app's service worker: network first; when offline, the last copy of this week's
// schedule and of the help page (with the safety plan) that this phone saw. Nothing else is kept,
// and signing out clears it all (the server sends Clear-Site-Data).
const CACHE = "bridge-me-v1";
const KEEP = ["/me/", "/me/help/"];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const keep = KEEP.includes(url.pathname) || url.pathname.startsWith("/static/bridge/");
  if (!keep) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    })
  );
});
