// The field app's service worker: keeps the app shell (page, bundle, styles, icon) so the app
// opens offline after the first visit. It caches nothing else: residents' data lives in
// IndexedDB (RxDB), and the API (/graphql) always goes to the network.
const SHELL = 'field-shell-__BUILD__';
const FILES = ['/field/', '/field/app.js', '/field/style.css', '/field/manifest.webmanifest', '/field/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(FILES.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('field-shell-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/field/')) return;
  if (request.mode === 'navigate') {
    // The page: the network when it answers within 3 s (a new build shows at once), else the
    // cached shell (no signal, or the weak signal of a stairwell).
    const cached = () => caches.match('/field/', { cacheName: SHELL });
    const network = fetch(request);
    const late = new Promise((resolve) => setTimeout(resolve, 3000)).then(cached);
    event.respondWith(
      Promise.race([network.catch(cached), late]).then((response) => response || network),
    );
    return;
  }
  const key = url.pathname;
  if (!FILES.includes(key)) return;
  event.respondWith(caches.match(key, { cacheName: SHELL }).then((hit) => hit || fetch(request)));
});
