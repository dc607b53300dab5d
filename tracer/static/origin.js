/* Origin page enhancements: the map (Leaflet, loaded only when asked for) and sharing a coarse location.
   The page is complete without this file; nothing here is needed to read it. */
(function () {
  "use strict";
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  var mapButton = document.querySelector(".show-map");
  if (mapButton) {
    mapButton.addEventListener("click", function () {
      mapButton.disabled = true;
      var box = mapButton.parentNode.querySelector(".leaflet-box");
      Promise.all([load("link", {rel: "stylesheet", href: mapButton.dataset.css}),
                   load("script", {src: mapButton.dataset.js})]).then(function () {
        box.hidden = false;
        mapButton.hidden = true;
        var zones = JSON.parse(mapButton.dataset.zones), L = window.L;
        var map = L.map(box, {scrollWheelZoom: false});
        L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    {maxZoom: 19, attribution: "&copy; OpenStreetMap"}).addTo(map);
        var bounds = [];
        zones.forEach(function (z) {
          var at = [parseFloat(z.lat), parseFloat(z.lon)];
          L.marker(at, {title: z.name}).addTo(map);
          bounds.push(at);
          if (z.polygon && z.polygon[0]) {
            var ring = z.polygon[0].map(function (p) { return [p[1], p[0]]; });
            L.polygon(ring, {color: "#1f7a3a"}).addTo(map);
            bounds = bounds.concat(ring);
          }
        });
        if (bounds.length === 1) { map.setView(bounds[0], 15); } else { map.fitBounds(bounds, {maxZoom: 16}); }
      }, function () { mapButton.disabled = false; });
    });
  }

  var share = document.querySelector(".share");
  if (share && navigator.geolocation) {
    var out = document.querySelector(".share-result");
    share.addEventListener("click", function () {
      share.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var coarse = function (v) { return Math.round(v * 10) / 10; };
        fetch(share.dataset.url, {method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
              body: JSON.stringify({latitude: coarse(pos.coords.latitude), longitude: coarse(pos.coords.longitude)})})
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
          .then(function (data) { out.textContent = data.copied ? share.dataset.copied : share.dataset.ok; })
          .catch(function () { out.textContent = share.dataset.fail; share.disabled = false; });
      }, function () { out.textContent = share.dataset.fail; share.disabled = false; },
      {enableHighAccuracy: false, maximumAge: 600000, timeout: 15000});
    });
  } else if (share) {
    share.parentNode.hidden = true;
  }
  // Share the page: the phone's own share sheet (Zalo, Facebook, messages) where there is one, else copy the link.
  var shareLink = document.querySelector(".share-link");
  if (shareLink) {
    var said = document.querySelector(".share-link-result");
    shareLink.addEventListener("click", function () {
      var url = location.href.split("#")[0];
      if (navigator.share) {
        navigator.share({title: document.title, url: url}).catch(function () { /* closed: nothing to say */ });
      } else if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { said.textContent = shareLink.dataset.copied; },
                                                function () { window.prompt("", url); });
      } else {
        window.prompt("", url);
      }
    });
  }
})();
