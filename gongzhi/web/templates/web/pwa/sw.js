/* Gongzhi service worker: an offline page, nothing else (see gongzhi/web/views/pwa.py).
 * Never caches a page with personal data or an API answer. */
"use strict";
var CACHE = "{{ cache_name|escapejs }}";
var OFFLINE_URL = "{{ offline_url|escapejs }}";
var PRECACHE = [OFFLINE_URL, "{{ css_url|escapejs }}"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(PRECACHE);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("gongzhi-offline-") === 0 && name !== CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return; // forms and uploads go to the network untouched
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE_URL);
    }));
    return;
  }
  if (PRECACHE.indexOf(new URL(request.url).pathname) !== -1) {
    // the offline page's own style sheet: network first, the cached copy when offline
    event.respondWith(fetch(request).catch(function () {
      return caches.match(request);
    }));
  }
});
