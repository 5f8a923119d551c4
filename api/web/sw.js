// The residents' page as an installable app shell: its own files are kept so that it opens
// without signal. Nothing a person's account reads is kept here: the API (/graphql), photos
// (/files) and the console are always left to the network, so no one's data can outlive a
// sign-out in this cache. The page keeps its last data itself, per account (store.js).
const SHELL = "changlang-shell-v1";
const FILES = [
  "/",
  "/manifest.webmanifest",
  "/static/style.css",
  "/static/icon.svg",
  "/static/app.js",
  "/static/client.js",
  "/static/store.js",
  "/static/ui.js",
  "/static/words.js",
  "/static/topics.js",
  "/static/raise.js",
  "/static/votes.js",
  "/static/phone.js",
  "/vendor/qrcode-generator/qrcode.mjs",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// The network first (a new release shows at once when there is signal), the kept copy when
// there is none.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = request.mode === "navigate" && url.pathname === "/" ? "/" : url.pathname;
  if (!FILES.includes(path)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(SHELL).then((cache) => cache.put(path, copy));
        }
        return response;
      })
      .catch(() => caches.match(path).then((kept) => kept || Response.error())),
  );
});
