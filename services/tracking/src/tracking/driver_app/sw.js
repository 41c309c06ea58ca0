// The app shell is served from the cache when offline; the API always goes to the network.
const CACHE = "lastmile-driver-v3";
const SHELL = [
  "./", "index.html", "app.css", "strings.js", "queue.js", "proof.js", "map.js", "stops.js", "app.js",
  "manifest.webmanifest", "icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !url.pathname.startsWith("/driver/")) return;
  // Network first so a new version shows at once; the cache when the network is gone.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        return response;
      })
      .catch(() => caches.match(event.request))
  );
});
