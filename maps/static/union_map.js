// The merchant map page: district base layer, clustered merchants, selection and the Qt bridge.
//
// The page shell (Leaflet map, tile layers, layer control) comes from folium; this script owns
// everything that changes. Python calls window.UnionMap.* (through one queued call function in
// widgets/map_view.py); the page reports back through the QWebChannel object "bridge" when it
// runs inside the app, and works without it in an exported web map.
(function () {
  "use strict";

  // ---- GCJ-02 (高德) correction: the same algorithm as app/china_datum.py -------------------
  const A = 6378245.0;
  const EE = 0.00669342162296594323;

  function gcjOffset(lon, lat) {
    const x = lon - 105.0, y = lat - 35.0, PI = Math.PI;
    let dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
      + (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0
      + (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0
      + (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    let dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
      + (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0
      + (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0
      + (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    const radlat = lat / 180.0 * PI;
    const magic = 1 - EE * Math.sin(radlat) ** 2;
    const sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * PI);
    dlon = (dlon * 180.0) / (A / sqrtmagic * Math.cos(radlat) * PI);
    return [dlon, dlat];
  }

  function wgsToGcj(lon, lat) {
    const d = gcjOffset(lon, lat);
    return [lon + d[0], lat + d[1]];
  }

  function gcjToWgs(lon, lat) {
    let wlon = lon, wlat = lat;
    for (let i = 0; i < 30; i++) {
      const f = wgsToGcj(wlon, wlat);
      const elon = f[0] - lon, elat = f[1] - lat;
      wlon -= elon; wlat -= elat;
      if (Math.abs(elon) < 1e-10 && Math.abs(elat) < 1e-10) break;
    }
    return [wlon, wlat];
  }

  // ---- state ---------------------------------------------------------------------------------
  const S = {
    map: null, control: null, gcjLayers: [], datum: "wgs84", bridge: null,
    categories: {}, districts: null, districtLayer: null, labelLayer: null, counts: {},
    points: null, idIndex: new Map(), mask: new Uint8Array(0), count: 0, px: null, py: null,
    clusterLayer: null, dotLayer: null, dotRenderer: null, drawn: [], clusters: 0,
    selected: null, selectedIndex: null, selectedMarker: null,
    pickMode: false, near: null, nearLayer: null, richPopups: false, editMode: false, box: null,
  };

  // Stored coordinates are WGS84; on a GCJ-02 base map everything drawn is shifted to match it.
  function toLatLng(lon, lat) {
    if (S.datum === "gcj02") {
      const g = wgsToGcj(lon, lat);
      return L.latLng(g[1], g[0]);
    }
    return L.latLng(lat, lon);
  }

  function fromLatLng(latlng) {
    if (S.datum === "gcj02") return gcjToWgs(latlng.lng, latlng.lat);
    return [latlng.lng, latlng.lat];
  }

  function report(name, ...args) {
    if (S.bridge && typeof S.bridge[name] === "function") S.bridge[name](...args);
  }

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g,
      (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  // ---- districts -----------------------------------------------------------------------------
  const SHADES = ["#f8f9fa", "#e7f5ff", "#d0ebff", "#a5d8ff", "#74c0fc", "#4dabf7"];

  function shade(count, max) {
    if (!count) return SHADES[0];
    if (max <= 1) return SHADES[SHADES.length - 1];
    const step = Math.ceil((count / max) * (SHADES.length - 1));
    return SHADES[Math.min(Math.max(step, 1), SHADES.length - 1)];
  }

  function districtStyle(feature) {
    const max = Math.max(0, ...Object.values(S.counts));
    return {
      color: "#495057", weight: 1.2, opacity: 0.9,
      fillColor: shade(S.counts[feature.properties.code] || 0, max), fillOpacity: 0.6,
    };
  }

  function drawDistricts() {
    if (S.districtLayer) S.map.removeLayer(S.districtLayer);
    if (S.labelLayer) S.map.removeLayer(S.labelLayer);
    S.districtLayer = L.geoJSON(S.districts, {
      style: districtStyle,
      coordsToLatLng: (c) => toLatLng(c[0], c[1]),
      onEachFeature: (feature, layer) => {
        layer.on("click", (e) => {
          // The dots' canvas lets clicks through (so districts stay clickable); a click on a dot
          // is told apart here by where it landed.
          if (S.pickMode) {
            pick(e.latlng);
          } else if (!clickDotAt(e)) {
            if (S.bridge) {
              report("reportDistrictClick", feature.properties.code);
            } else {   // an exported page has no filters: a district click zooms into it
              S.map.fitBounds(layer.getBounds(), {padding: [24, 24]});
            }
          }
          L.DomEvent.stopPropagation(e);
        });
      },
    }).addTo(S.map);
    S.districtLayer.bringToBack();
    S.labelLayer = L.layerGroup().addTo(S.map);
    let order = 0;
    for (const f of S.districts.features) {
      const p = f.properties;
      const n = S.counts[p.code] || 0;
      const html = `<div class="uc-label-box"><span class="uc-district-name">${escapeHtml(p.name)}</span>`
        + (n ? `<span class="uc-district-count">${n}</span>` : "") + "</div>";
      L.marker(toLatLng(p.label_lon, p.label_lat), {
        icon: L.divIcon({className: "uc-district-label", html: html, iconSize: null}),
        interactive: false, keyboard: false, pane: "ucLabels", count: n, order: order++,
      }).addTo(S.labelLayer);
    }

  }

  // City view and street view. Zoomed out below DETAIL_ZOOM, with results in several districts,
  // the map summarises: each district's name with its count of matching merchants, and no merchant
  // clusters (their badges covered the names and looked like the counts). From DETAIL_ZOOM in, the
  // merchants themselves (render), and the districts by name only: a class on the container says which.
  const DETAIL_ZOOM = 12;

  function showViewKind() {
    // Results in one district are shown as merchants at any zoom: a count of one district says
    // nothing the list does not.
    const districts = Object.values(S.counts || {}).filter((n) => n > 0).length;
    const city = S.map.getZoom() < DETAIL_ZOOM && districts > 1;
    const box = S.map.getContainer();
    box.classList.toggle("uc-city", city);
    box.classList.toggle("uc-detail", !city);
    declutterLabels();
  }

  // Zoomed out, the seven central districts' labels pile on each other. Every district with matching
  // merchants keeps its name and count: a label that would overlap one already placed moves to the
  // nearest free place around its own (武昌区's 3 used to vanish under its neighbours'). A district with
  // none gives way (hidden while it would overlap; it is still shaded and clickable, and its name
  // returns on zoom-in).
  const LABEL_SHIFTS = (() => {   // [dx, dy] in label widths and heights, nearest first
    const out = [];
    for (const dx of [0, -0.5, 0.5, -1, 1]) for (const dy of [0, -0.5, 0.5, -1, 1, -1.5, 1.5, -2, 2]) out.push([dx, dy]);
    return out.sort((a, b) => Math.hypot(a[0] * 2, a[1]) - Math.hypot(b[0] * 2, b[1]));
  })();

  function declutterLabels() {
    if (!S.labelLayer) return;
    const city = S.map.getContainer().classList.contains("uc-city");
    const labels = [];
    S.labelLayer.eachLayer((marker) => {
      const el = marker.getElement();
      if (!el) return;
      const box = el.querySelector(".uc-label-box") || el;
      el.classList.remove("uc-label-hidden");
      box.style.top = "0px";
      box.style.left = "0px";
      labels.push({el: el, box: box, n: marker.options.count || 0, order: marker.options.order});
    });
    labels.sort((a, b) => (b.n - a.n) || (a.order - b.order));
    const kept = [];
    const clashes = (r) => kept.some((k) => r.left < k.right + 2 && k.left < r.right + 2
      && r.top < k.bottom + 2 && k.top < r.bottom + 2);
    for (const label of labels) {
      const r = label.box.getBoundingClientRect();
      if (!r.width) continue;   // not laid out yet (the page is hidden): nothing to compare
      const shifts = city && label.n ? LABEL_SHIFTS : [[0, 0]];
      const w = r.width + 2, h = r.height + 2;
      const moved = ([dx, dy]) => ({left: r.left + dx * w, right: r.right + dx * w, top: r.top + dy * h,
                                    bottom: r.bottom + dy * h});
      const free = shifts.find((s) => !clashes(moved(s)));
      if (free === undefined && !(city && label.n)) {
        label.el.classList.add("uc-label-hidden");
        continue;
      }
      const [dx, dy] = free === undefined ? [0, 0] : free;   // nowhere free: shown where it is, never dropped
      label.box.style.left = `${dx * w}px`;
      label.box.style.top = `${dy * h}px`;
      kept.push(moved([dx, dy]));
    }
  }

  // ---- merchants ----------------------------------------------------------------------------
  // The page holds every merchant once, as columns (S.points, from setCatalogue), and which of them
  // match the filters as one bit each (S.mask, from setMerchants): a filter change sends a few
  // kilobytes and recounts, it never rebuilds layers. What is drawn is only what the viewport needs
  // at its zoom: merchants gathered on a grid of CELL pixels, a count where several share a cell and a
  // dot on a canvas where one is alone. Only the clusters (a few hundred at most) and the selected
  // merchant are DOM elements.
  const CELL = 60;            // grid cell, in screen pixels
  const SINGLES_ZOOM = 17;    // from here every merchant is a dot of its own
  const DOT_RADIUS = 6;

  function colourOf(code) {
    return (S.categories[code] || {colour: "#868e96"}).colour;
  }

  function popupHtml(i) {
    const P = S.points;
    const code = P.codes[P.c[i]];
    const cat = S.categories[code] || {name: code};
    const best = P.b[i] >= 0 ? P.bestText[P.b[i]] : "";
    const expired = P.expired && P.expired.has(i);   // an ended offer is not offered: it says so
    let html = `<div class="uc-popup"><div class="uc-popup-name">${escapeHtml(P.n[i])}</div>`
      + `<div class="uc-popup-meta"><span class="uc-dot" style="background:${colourOf(code)}"></span>`
      + `${escapeHtml(cat.name)}${expired ? " · 优惠已过期" : best ? " · 最高 " + escapeHtml(best) : ""}</div>`;
    if (S.richPopups) {
      if (P.o && P.o[i]) html += `<div class="uc-popup-offer">${escapeHtml(P.o[i])}</div>`;
      if (P.a && P.a[i]) html += `<div class="uc-popup-note">${escapeHtml(P.a[i])}</div>`;
      const links = [];
      if (P.nav && P.nav[i]) {
        links.push(`<a class="uc-popup-nav" href="${escapeHtml(P.nav[i])}" target="_blank" rel="noopener">高德导航</a>`);
      }
      if (P.tel && P.tel[i]) links.push(`<a class="uc-popup-tel" href="${escapeHtml(P.tel[i])}">拨打电话</a>`);
      if (links.length) html += `<div class="uc-popup-links">${links.join("　")}</div>`;
    }
    return html + "</div>";
  }

  // The selected merchant's pin, one icon per category colour (the others are dots on the canvas).
  const PINS = new Map();

  function pinIcon(code) {
    if (!PINS.has(code)) {
      PINS.set(code, L.divIcon({
        className: "uc-pin uc-pin-selected", html: `<span style="background:${colourOf(code)}"></span>`,
        iconSize: [22, 22], popupAnchor: [0, -11],
      }));
    }
    return PINS.get(code);
  }

  function clusterIcon(n) {
    const size = badgeSize(n);
    const text = n < 10000 ? String(n) : (n / 10000).toFixed(n < 100000 ? 1 : 0) + "万";
    return L.divIcon({html: `<div><span>${text}</span></div>`, className: "uc-cluster", iconSize: L.point(size, size)});
  }

  const EMPTY_POINTS = {ids: [], lon: new Float64Array(0), lat: new Float64Array(0), c: new Uint8Array(0),
    b: new Int32Array(0), n: [], codes: [], bestText: []};

  // Columns from maps/merchant_layer.py: ids, x/y (lon/lat in millionths of a degree), c (category
  // number into codes), n (name), b (best-offer number into bestText, -1 none); o and a (offer text,
  // address) in an exported page only.
  function readPoints(table) {
    if (!table || !table.ids) return EMPTY_POINTS;
    const count = table.ids.length;
    const P = {ids: table.ids, n: table.n, codes: table.codes, bestText: table.bestText, o: table.o, a: table.a,
      nav: table.nav, tel: table.tel,
      lon: new Float64Array(count), lat: new Float64Array(count), c: Uint8Array.from(table.c),
      b: Int32Array.from(table.b), expired: new Set(table.e || [])};
    for (let i = 0; i < count; i++) {
      P.lon[i] = table.x[i] / 1e6;
      P.lat[i] = table.y[i] / 1e6;
    }
    return P;
  }

  // Each merchant in Leaflet's pixel space at zoom 0 (in the base map's datum); at zoom z a pixel
  // position is this times 2^z. Worked out once per catalogue and datum, never per move.
  function project() {
    const P = S.points, count = P.ids.length;
    S.px = new Float64Array(count);
    S.py = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const p = S.map.project(toLatLng(P.lon[i], P.lat[i]), 0);
      S.px[i] = p.x;
      S.py[i] = p.y;
    }
  }

  function setPoints(table) {
    S.points = readPoints(table);
    S.idIndex = new Map();
    S.points.ids.forEach((id, i) => S.idIndex.set(id, i));
    S.mask = new Uint8Array(S.points.ids.length);
    S.count = 0;
    project();
  }

  // The filter's bits (one per merchant, most significant first) as base64 from Python, or "all".
  function readMask(bits) {
    const count = S.points.ids.length;
    const mask = new Uint8Array(count);
    if (bits === "all") {
      mask.fill(1);
      return mask;
    }
    const bytes = atob(bits || "");
    for (let i = 0; i < count; i++) {
      mask[i] = (bytes.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1;
    }
    return mask;
  }

  function matching(fn) {
    const mask = S.mask;
    for (let i = 0; i < mask.length; i++) if (mask[i]) fn(i);
  }

  function latLngOf(i) {
    return toLatLng(S.points.lon[i], S.points.lat[i]);
  }

  // Draw what the viewport shows at this zoom. Called after each load, move and zoom.
  function render() {
    S.clusterLayer.clearLayers();
    S.dotLayer.clearLayers();
    S.drawn = [];
    S.clusters = 0;
    S.represented = 0;
    S.selectedAlone = false;   // the selected merchant has a patch of the screen to itself
    const box = S.map.getContainer();
    if (!box.classList.contains("uc-city") && S.count) {
      const zoom = S.map.getZoom(), scale = Math.pow(2, zoom);
      const view = S.map.getPixelBounds().pad(0.1);
      const x0 = view.min.x, y0 = view.min.y, x1 = view.max.x, y1 = view.max.y;
      const cells = new Map();
      const cols = Math.ceil((x1 - x0) / CELL) + 1;
      const px = S.px, py = S.py, mask = S.mask;
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        const x = px[i] * scale, y = py[i] * scale;
        if (x < x0 || x > x1 || y < y0 || y > y1) continue;
        const key = Math.floor((y - y0) / CELL) * cols + Math.floor((x - x0) / CELL);
        const cell = cells.get(key);
        if (cell) {
          cell.n++; cell.x += x; cell.y += y;
          if (x < cell.x0) cell.x0 = x; else if (x > cell.x1) cell.x1 = x;
          if (y < cell.y0) cell.y0 = y; else if (y > cell.y1) cell.y1 = y;
          if (cell.list.length < 64) cell.list.push(i);
        } else {
          cells.set(key, {n: 1, x: x, y: y, x0: x, x1: x, y0: y, y1: y, list: [i]});
        }
      }
      const singles = zoom >= SINGLES_ZOOM;
      const groups = [];
      for (const cell of cells.values()) {
        if (cell.n === 1 || (singles && cell.n === cell.list.length)) {
          for (const i of cell.list) drawDot(i);
        } else {
          groups.push({n: cell.n, x: cell.x / cell.n, y: cell.y / cell.n, list: cell.list,
            x0: cell.x0, x1: cell.x1, y0: cell.y0, y1: cell.y1});
        }
      }
      for (const group of separate(groups)) drawCluster(group);
    }
    drawSelected();
  }

  function drawDot(i) {
    if (i === S.selectedIndex) {   // drawn as the selected pin instead
      S.represented++;
      S.selectedAlone = true;
      return;
    }
    const code = S.points.codes[S.points.c[i]];
    S.represented++;
    L.circleMarker(latLngOf(i), {
      renderer: S.dotRenderer, radius: DOT_RADIUS, weight: 2, color: "#fff", fillColor: colourOf(code),
      fillOpacity: 1, interactive: false,
    }).addTo(S.dotLayer);
    S.drawn.push(i);
  }

  function badgeSize(n) {
    return n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
  }

  // Clusters of neighbouring cells can sit close enough for their badges to overlap; the smaller one
  // then joins the larger (as supercluster would have grouped them), biggest first.
  function separate(groups) {
    groups.sort((a, b) => b.n - a.n);
    const kept = [];
    for (const g of groups) {
      const near = kept.find((k) => {
        const gap = (badgeSize(k.n) + badgeSize(g.n)) / 2 + 2;
        return (k.x - g.x) ** 2 + (k.y - g.y) ** 2 < gap * gap;
      });
      if (!near) {
        kept.push(g);
        continue;
      }
      const n = near.n + g.n;
      near.x = (near.x * near.n + g.x * g.n) / n;
      near.y = (near.y * near.n + g.y * g.n) / n;
      near.n = n;
      near.list = near.list.concat(g.list).slice(0, 64);
      near.x0 = Math.min(near.x0, g.x0); near.x1 = Math.max(near.x1, g.x1);
      near.y0 = Math.min(near.y0, g.y0); near.y1 = Math.max(near.y1, g.y1);
    }
    return kept;
  }

  function drawCluster(group) {
    const centre = S.map.unproject(L.point(group.x, group.y), S.map.getZoom());
    const marker = L.marker(centre, {icon: clusterIcon(group.n), keyboard: false});
    marker.count = group.n;
    marker.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      openCluster(group);
    });
    marker.addTo(S.clusterLayer);
    S.clusters++;
    S.represented += group.n;
  }

  // A cluster click zooms in on its merchants; at the deepest zoom (the same building) it lists them.
  function openCluster(cell) {
    if (S.map.getZoom() >= S.map.getMaxZoom() || sameSpot(cell.list)) {
      const items = cell.list.map((i) => `<li><a href="#" data-i="${i}">${escapeHtml(S.points.n[i])}</a></li>`).join("");
      const more = cell.n > cell.list.length ? `<div class="uc-popup-note">另有 ${cell.n - cell.list.length} 家</div>` : "";
      const popup = L.popup({autoPanPadding: [24, 24]}).setLatLng(latLngOf(cell.list[0]))
        .setContent(`<div class="uc-popup"><div class="uc-popup-name">此处 ${cell.n} 家商户</div><ul class="uc-list">${items}</ul>${more}</div>`)
        .openOn(S.map);
      popup.getElement().querySelectorAll("a[data-i]").forEach((a) => a.addEventListener("click", (e) => {
        e.preventDefault();
        clickPoint(+a.dataset.i);
      }));
      return;
    }
    const z = S.map.getZoom();
    const bounds = L.latLngBounds(S.map.unproject(L.point(cell.x0, cell.y1), z), S.map.unproject(L.point(cell.x1, cell.y0), z));
    const zoom = Math.min(Math.max(S.map.getBoundsZoom(bounds.pad(0.2)), S.map.getZoom() + 1), S.map.getMaxZoom());
    S.map.setView(bounds.getCenter(), zoom);   // the member's own move: the map stops following results
  }

  function sameSpot(list) {
    const first = list[0];
    return list.every((i) => S.points.lon[i] === S.points.lon[first] && S.points.lat[i] === S.points.lat[first]);
  }

  // The dot under a screen point, if any: the nearest drawn one within its radius and a little.
  function dotAt(containerPoint) {
    let best = -1, bestDistance = (DOT_RADIUS + 3) ** 2;
    for (const i of S.drawn) {
      const p = S.map.latLngToContainerPoint(latLngOf(i));
      const d = (p.x - containerPoint.x) ** 2 + (p.y - containerPoint.y) ** 2;
      if (d <= bestDistance) { best = i; bestDistance = d; }
    }
    return best;
  }

  function clickDotAt(e) {
    const i = e.containerPoint ? dotAt(e.containerPoint) : -1;
    if (i >= 0) clickPoint(i);
    return i >= 0;
  }

  // The member's pointer over a dot: a hand, and the merchant's name as its tooltip.
  function hover(e) {
    const i = dotAt(e.containerPoint);
    const box = S.map.getContainer();
    box.classList.toggle("uc-over-dot", i >= 0);
    if (i >= 0) box.title = S.points.n[i]; else box.removeAttribute("title");
  }

  function clickPoint(i) {
    S.map.closePopup();
    highlight(S.points.ids[i]);
    if (S.selectedMarker) S.selectedMarker.openPopup();
    report("reportMerchantClick", S.points.ids[i]);
  }

  // ---- an exported page: its title, and a list of its merchants to search ----------------------
  function addPageTitle(title) {
    const control = L.control({position: "topleft"});
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "uc-page-title");
      div.textContent = title;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(S.map);
  }

  const LIST_AT_MOST = 300;   // rows shown at once; the search narrows the rest

  function addMerchantList() {
    const control = L.control({position: "topright"});
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "uc-list uc-list-folded");
      div.innerHTML = `<div class="uc-list-head">商户列表（${S.count}）<span class="uc-list-toggle"></span></div>`
        + `<div class="uc-list-body"><input class="uc-list-search" type="search" placeholder="搜索名称或优惠">`
        + `<div class="uc-list-rows"></div><div class="uc-list-more"></div></div>`;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      div.querySelector(".uc-list-head").addEventListener("click", () => div.classList.toggle("uc-list-folded"));
      const search = div.querySelector(".uc-list-search");
      search.addEventListener("input", () => fillList(div, search.value));
      div.querySelector(".uc-list-rows").addEventListener("click", (e) => {
        const row = e.target.closest("[data-i]");
        if (!row) return;
        const i = +row.dataset.i;
        UnionMap.selectMerchant(S.points.ids[i]);
      });
      S.list = div;
      fillList(div, "");
      return div;
    };
    control.addTo(S.map);
  }

  function fillList(div, query) {
    const P = S.points, words = query.trim().toLowerCase();
    const found = [];
    matching((i) => {
      if (!words || P.n[i].toLowerCase().includes(words) || (P.o && (P.o[i] || "").toLowerCase().includes(words))) {
        found.push(i);
      }
    });
    const rows = found.slice(0, LIST_AT_MOST).map((i) => {
      const best = P.b[i] >= 0 ? P.bestText[P.b[i]] : "";
      return `<div class="uc-list-row" data-i="${i}"><span class="uc-dot" style="background:${colourOf(P.codes[P.c[i]])}"></span>`
        + `${escapeHtml(P.n[i])}${best ? `<span class="uc-list-best">${escapeHtml(best)}</span>` : ""}</div>`;
    });
    div.querySelector(".uc-list-rows").innerHTML = rows.join("") || `<div class="uc-list-none">没有找到“${escapeHtml(query)}”</div>`;
    div.querySelector(".uc-list-more").textContent =
      found.length > LIST_AT_MOST ? `另有 ${found.length - LIST_AT_MOST} 家，请输入更多文字缩小范围` : "";
  }

  function legendFolded() {
    return !!S.legend && S.legend.classList.contains("uc-legend-folded");
  }

  function setLegendFolded(folded) {
    if (S.legend) S.legend.classList.toggle("uc-legend-folded", folded);
  }

  // The legend never covers the selected pin: folded when the pin (and its popup's foot) is under it.
  function keepPinClearOfLegend() {
    if (!S.legend || !S.selectedMarker || legendFolded()) return;
    const pin = S.map.latLngToContainerPoint(S.selectedMarker.getLatLng());
    const box = S.legend.getBoundingClientRect(), map = S.map.getContainer().getBoundingClientRect();
    const x = pin.x + map.left, y = pin.y + map.top;
    if (x > box.left - 16 && x < box.right + 16 && y > box.top - 8 && y < box.bottom + 40) setLegendFolded(true);
  }

  // The selected merchant: a pin (a DOM marker) above everything, with its popup; draggable in edit mode.
  function drawSelected() {
    const i = S.selectedIndex;
    if (i === null || i === undefined || !S.mask[i]) {
      if (S.selectedMarker) S.map.removeLayer(S.selectedMarker);
      S.selectedMarker = null;
      return;
    }
    if (S.selectedMarker && S.selectedMarker.index === i) {
      if (!S.map.hasLayer(S.selectedMarker)) S.selectedMarker.addTo(S.map);
      return;
    }
    if (S.selectedMarker) S.map.removeLayer(S.selectedMarker);
    const code = S.points.codes[S.points.c[i]];
    const marker = L.marker(latLngOf(i), {icon: pinIcon(code), title: S.points.n[i], zIndexOffset: 1000,
      draggable: true, keyboard: false});
    marker.index = i;
    marker.bindPopup(() => popupHtml(i), {autoPanPadding: [24, 24]});
    marker.on("dragend", () => onMarkerDragEnd(marker));
    marker.on("add", () => { if (!S.editMode && marker.dragging) marker.dragging.disable(); });
    marker.addTo(S.map);
    if (!S.editMode) marker.dragging.disable();
    S.selectedMarker = marker;
    keepPinClearOfLegend();
  }

  function highlight(id) {
    const i = id === null || id === undefined ? undefined : S.idIndex.get(id);
    S.selected = i === undefined ? null : id;
    S.selectedIndex = i === undefined ? null : i;
    render();
  }

  // ours(): moves the page makes itself, as opposed to the member dragging or zooming: only the
  // member's own moves stop the map from following the results (S.userMoved).
  function ours(move) {
    S.ourMove = true;
    try {
      move();
    } finally {
      setTimeout(() => { S.ourMove = false; }, 0);
    }
  }

  // ---- edit mode: drag the selected pin, shift-drag a box to select ----------------------------
  function onMarkerDragEnd(marker) {
    const wgs = fromLatLng(marker.getLatLng());
    report("reportMerchantMoved", S.points.ids[marker.index], wgs[0], wgs[1]);
  }

  function startBox(e) {
    if (!S.editMode || !e.originalEvent.shiftKey) return;
    S.map.dragging.disable();
    S.box = {start: e.latlng, rect: L.rectangle(L.latLngBounds(e.latlng, e.latlng),
      {color: "#1c7ed6", weight: 1, dashArray: "4 3", fillOpacity: 0.08, interactive: false}).addTo(S.map)};
  }

  function growBox(e) {
    if (S.box) S.box.rect.setBounds(L.latLngBounds(S.box.start, e.latlng));
  }

  function endBox() {
    if (!S.box) return;
    const bounds = S.box.rect.getBounds();
    S.map.removeLayer(S.box.rect);
    S.box = null;
    S.map.dragging.enable();
    const ids = [];
    matching((i) => { if (bounds.contains(latLngOf(i))) ids.push(S.points.ids[i]); });
    report("reportBoxSelect", JSON.stringify(ids));
  }

  // ---- near here -----------------------------------------------------------------------------
  function pick(latlng) {
    const wgs = fromLatLng(latlng);
    UnionMap.setPickMode(false);   // the banner goes with the mode (it stayed after the click)
    report("reportMapClick", wgs[0], wgs[1]);
  }

  function drawNear() {
    if (S.nearLayer) S.map.removeLayer(S.nearLayer);
    S.nearLayer = null;
    if (!S.near) return;
    const centre = toLatLng(S.near.lon, S.near.lat);
    S.nearLayer = L.layerGroup([
      L.circle(centre, {radius: S.near.radius, color: "#e03131", weight: 2, dashArray: "6 4",
        fillColor: "#ffc9c9", fillOpacity: 0.15, interactive: false}),
      L.circleMarker(centre, {radius: 5, color: "#e03131", fillColor: "#e03131", fillOpacity: 1,
        interactive: false}),
    ]).addTo(S.map);
  }

  // ---- drawing acknowledgement: after the browser has painted ----------------------------------
  function afterPaint(fn) {
    requestAnimationFrame(() => requestAnimationFrame(fn));
  }

  function whenIdle(fn) {
    if (S.map._animatingZoom) S.map.once("zoomend", fn); else fn();
  }

  // A filter change: which merchants match, the counts per district, where to look, and a number
  // handed back through reportDrawn once painted. Synchronous: a recount over the columns.
  function load(next) {
    S.mask = readMask(next.mask);
    S.count = 0;
    for (let i = 0; i < S.mask.length; i++) S.count += S.mask[i];
    S.counts = next.counts || {};
    if (S.selectedIndex !== null && !S.mask[S.selectedIndex]) {
      S.selected = null;
      S.selectedIndex = null;
    }
    drawDistricts();
    drawNear();
    UnionMap.fit(next.view);
    showViewKind();
    render();
    if (next.seq !== null) afterPaint(() => report("reportDrawn", next.seq, S.count));
  }

  // The base map's datum changed: every position moves.
  function redrawAll() {
    project();
    drawDistricts();
    drawNear();
    if (S.selectedMarker) S.map.removeLayer(S.selectedMarker);
    S.selectedMarker = null;
    showViewKind();
    render();
  }

  // Every word on the map in Chinese: the zoom buttons' tooltips, the scale bar's units (公里/米) and
// the attribution prefix. Leaflet's own controls only speak English, so they are set up here.
function chineseControls() {
  if (S.map.zoomControl) {
    S.map.zoomControl.remove();
    L.control.zoom({zoomInTitle: "放大", zoomOutTitle: "缩小"}).addTo(S.map);
  }
  const scale = L.control.scale({imperial: false, maxWidth: 120});
  scale._updateMetric = function (maxMeters) {
    const meters = this._getRoundNum(maxMeters);
    const label = meters < 1000 ? meters + " 米" : meters / 1000 + " 公里";
    this._updateScale(this._mScale, label, meters / maxMeters);
  };
  scale.addTo(S.map);
  if (S.map.attributionControl) {
    S.map.attributionControl.setPrefix('地图引擎 <a href="https://leafletjs.com" target="_blank">Leaflet</a>');
  }
}

function onBaseLayerChange(e) {
    const datum = S.gcjLayers.indexOf(e.layer) >= 0 ? "gcj02" : "wgs84";
    if (datum === S.datum) return;
    S.datum = datum;
    redrawAll();
    report("reportDatum", datum);
  }

  // Python's one way in: a JSON message {id, fn, args} on the bridge's invoke signal. Data goes
  // this way rather than through runJavaScript, whose script compiler chokes on 20 MB literals.
  function onInvoke(message) {
    const m = JSON.parse(message);
    let result = null;
    try {
      result = UnionMap[m.fn](...m.args);
    } finally {
      if (m.id) report("reportResult", m.id, JSON.stringify(result === undefined ? null : result));
    }
  }

  // ---- the API Python (and an exported page) uses ---------------------------------------------
  const UnionMap = {
    wgsToGcj: wgsToGcj,
    gcjToWgs: gcjToWgs,

    init(options) {
      S.map = options.map;
      S.control = options.control;
      S.categories = options.categories;
      S.districts = options.districts;
      S.richPopups = !!options.richPopups;
      S.gcjLayers = options.gcjLayers || [];
      // With no default tile layer folium sets no zoom range.
      S.map.setMinZoom(options.minZoom || 8);
      S.map.setMaxZoom(options.maxZoom || 18);
      if (options.offlineBase && S.control) {
        const offline = L.layerGroup().addTo(S.map);
        S.control.addBaseLayer(offline, options.offlineBase);
      }
      S.map.on("baselayerchange", onBaseLayerChange);
      S.map.on("moveend", () => keepPinClearOfLegend());
      // The member's own moves: a drag, or a zoom the page did not make (wheel, buttons, a cluster
      // click). A resize pans too, but that is not the member choosing a place to look at.
      S.map.on("dragstart", () => { S.userMoved = true; });
      S.map.on("zoomstart", () => { if (!S.ourMove) S.userMoved = true; });
      S.map.on("click", (e) => { if (S.pickMode) pick(e.latlng); else clickDotAt(e); });
      S.map.on("mousedown", startBox);
      S.map.on("mousemove", growBox);
      S.map.on("mousemove", hover);
      S.map.on("mouseup", endBox);
      chineseControls();
      // The data on the map (district outlines, place names) is credited as its licences ask.
      if (options.dataAttribution && S.map.attributionControl) {
        S.map.attributionControl.addAttribution(options.dataAttribution);
      }
      // District names above the merchants, so a cluster never hides one; they take no clicks.
      S.map.createPane("ucLabels");
      S.map.getPane("ucLabels").style.zIndex = 640;
      S.map.getPane("ucLabels").style.pointerEvents = "none";
      // Merchants' dots on one canvas between the districts and the clusters; clicks go through it.
      S.map.createPane("ucDots");
      S.map.getPane("ucDots").style.zIndex = 450;
      S.map.getPane("ucDots").style.pointerEvents = "none";
      S.dotRenderer = L.canvas({pane: "ucDots", padding: 0.2});
      S.dotLayer = L.layerGroup().addTo(S.map);
      S.clusterLayer = L.layerGroup().addTo(S.map);
      S.map.on("zoomend", showViewKind);
      S.map.on("moveend", render);
      // A resize (the window, the splitter, the page first shown) keeps the last fitted view in
      // view, unless the member has moved the map since; the labels are then sorted out again.
      S.map.on("resize", () => {
        if (S.lastView && !S.userMoved) UnionMap.fit(S.lastView);
        declutterLabels();
      });
      if (options.legend) UnionMap.addLegend(options.legend);
      drawDistricts();
      ours(() => S.map.fitBounds(S.districtLayer.getBounds(), {padding: [8, 8], animate: false}));
      S.lastView = "all";
      setPoints(options.points);
      load({mask: options.mask, counts: options.counts, view: null, seq: null});
      if (options.pageTitle) addPageTitle(options.pageTitle);
      if (options.merchantList) addMerchantList();
      if (options.fitMerchants) UnionMap.fit("merchants");   // an exported page opens on what it holds
      if (typeof QWebChannel !== "undefined" && typeof qt !== "undefined") {
        new QWebChannel(qt.webChannelTransport, (channel) => {
          S.bridge = channel.objects.bridge;
          S.bridge.invoke.connect(onInvoke);
          report("reportReady");
        });
      }
    },

    addLegend(title) {
      const legend = L.control({position: "bottomleft"});
      legend.onAdd = () => {
        const div = L.DomUtil.create("div", "uc-legend");
        let html = `<div class="uc-legend-title" title="点击收起或展开图例">${escapeHtml(title)}`
          + `<span class="uc-legend-toggle"></span></div><div class="uc-legend-body"><div class="uc-legend-grid">`;
        for (const code of Object.keys(S.categories)) {
          const c = S.categories[code];
          html += `<div><span class="uc-dot" style="background:${c.colour}"></span>${escapeHtml(c.name)}</div>`;
        }
        html += `</div><div class="uc-legend-shade">区块越深，符合条件的商户越多</div>`
          + `<div class="uc-legend-city">区名下的数字是该区符合条件的商户数；放大地图或点击一个区，查看各商户</div></div>`;
        div.innerHTML = html;
        // The member folds it away (the title stays); it folds itself when the selected pin is under it.
        L.DomEvent.disableClickPropagation(div);
        div.querySelector(".uc-legend-title").addEventListener("click", () => setLegendFolded(!legendFolded()));
        S.legend = div;
        return div;
      };
      legend.addTo(S.map);
    },

    // Every merchant the filters can show, as columns (see readPoints); sent when the catalogue
    // changes, never on a filter change. Nothing matches until setMerchants says what does.
    setCatalogue(table) {
      setPoints(table);
      S.selectedIndex = S.selected === null ? null : (S.idIndex.has(S.selected) ? S.idIndex.get(S.selected) : null);
      if (S.selectedIndex === null) S.selected = null;
      if (S.selectedMarker) S.map.removeLayer(S.selectedMarker);
      S.selectedMarker = null;
      return S.points.ids.length;   // drawn by the setMerchants that follows (not empty meanwhile)
    },

    // A filter change: the matching merchants as bits (base64, or "all"), the per-district counts,
    // where to look (null: stay; "results"; "merchants"; "near"; "all"; or district codes), and a
    // number the page hands back through reportDrawn once this is painted.
    setMerchants(mask, counts, view, seq) {
      load({mask: mask, counts: counts, view: view, seq: seq === undefined ? null : seq});
      return S.count;
    },

    fit(view) {
      // "results": follow the filtered merchants unless the member has moved the map since;
      // "all": back out to everything shown (全部区, 清除); districts or "near": there, whatever.
      if (!view || (view === "results" && S.userMoved)) return;
      S.userMoved = false;
      let bounds = null;
      if (view === "all") {
        bounds = S.districtLayer.getBounds();
      } else if ((view === "merchants" || view === "results") && S.count) {
        let west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
        const lon = S.points.lon, lat = S.points.lat;
        matching((i) => {
          if (lon[i] < west) west = lon[i];
          if (lon[i] > east) east = lon[i];
          if (lat[i] < south) south = lat[i];
          if (lat[i] > north) north = lat[i];
        });
        bounds = L.latLngBounds(toLatLng(west, south), toLatLng(east, north));
      } else if (Array.isArray(view) && view.length) {
        bounds = L.latLngBounds([]);
        S.districtLayer.eachLayer((layer) => {
          if (view.indexOf(layer.feature.properties.code) >= 0) bounds.extend(layer.getBounds());
        });
      } else if (view === "near" && S.nearLayer) {
        bounds = L.latLngBounds([]);
        S.nearLayer.eachLayer((layer) => bounds.extend(layer.getBounds ? layer.getBounds() : layer.getLatLng()));
      }
      if (bounds && bounds.isValid()) {
        S.lastView = view;   // kept in view when the map is resized, until the member moves it
        // A zoom still animating would swallow this one (Leaflet ignores setView meanwhile).
        const padding = view === "all" ? [8, 8] : [24, 24];   // "all" as the page first opened
        whenIdle(() => ours(() => S.map.fitBounds(bounds, {padding: padding, maxZoom: 16, animate: false})));
      }
    },

    // Show a merchant from the list: its pin, close enough to see the streets around it, and its popup.
    selectMerchant(id) {
      const i = S.idIndex.get(id);
      if (i === undefined || !S.mask[i]) return false;
      S.lastView = null;   // the map now shows this merchant, not the results
      whenIdle(() => {
        if (S.selected !== id) highlight(id);
        // Street view at least, and closer (to zoom 16) only until no cluster shares its patch of the screen.
        let zoom = Math.max(S.map.getZoom(), DETAIL_ZOOM);
        ours(() => S.map.setView(latLngOf(i), zoom, {animate: false}));
        while (!S.selectedAlone && zoom < SINGLES_ZOOM - 1) {
          zoom++;
          ours(() => S.map.setView(latLngOf(i), zoom, {animate: false}));
        }
        if (S.selectedMarker && S.selected === id) S.selectedMarker.openPopup();
      });
      return true;
    },

    clearSelection() {
      highlight(null);
      S.map.closePopup();
    },

    // Pick mode: the next click picks a point; `hint` (plain text) tells the member what to do.
    setPickMode(on, hint) {
      S.pickMode = !!on;
      const box = S.map.getContainer();
      box.classList.toggle("uc-picking", S.pickMode);
      let banner = box.querySelector(".uc-pick-hint");
      if (S.pickMode && hint) {
        if (!banner) {
          banner = L.DomUtil.create("div", "uc-pick-hint", box);
          L.DomEvent.disableClickPropagation(banner);
        }
        banner.textContent = hint;
      } else if (banner) {
        banner.remove();
      }
    },

    // Staff's edit mode: the selected pin can be dragged, shift-drag selects the pins in a box.
    setEditMode(on) {
      S.editMode = !!on;
      if (S.editMode) S.map.boxZoom.disable(); else S.map.boxZoom.enable();
      S.map.getContainer().classList.toggle("uc-editing", S.editMode);
      if (S.selectedMarker && S.selectedMarker.dragging) {
        if (S.editMode) S.selectedMarker.dragging.enable(); else S.selectedMarker.dragging.disable();
      }
      return S.editMode;
    },

    // Put a dragged pin back where the catalogue has it (the move was cancelled or refused).
    resetMarker(id) {
      const marker = S.selectedMarker;
      if (!marker || S.points.ids[marker.index] !== id) return false;
      marker.setLatLng(latLngOf(marker.index));
      return true;
    },

    setNear(lon, lat, radius) {
      S.near = (lon === null || lon === undefined) ? null : {lon: lon, lat: lat, radius: radius};
      drawNear();
    },

    // What the page shows, for tests and for the status of a snapshot.
    featureCount() { return S.count; },
    zoom() { return S.map.getZoom(); },
    followsResults() { return !S.userMoved; },
    // What is drawn in the current view: clusters, lone merchants' dots, the selected pin, and how
    // many matching merchants these stand for.
    drawnCounts() {
      return {clusters: S.clusters, dots: S.drawn.length, selected: S.selectedMarker ? 1 : 0, merchants: S.represented};
    },
    selectedId() { return S.selected; },
    // The popup a merchant's pin opens, as HTML (what a member reads when they click it).
    popupOf(id) {
      const i = S.idIndex.get(id);
      return i === undefined ? null : popupHtml(i);
    },
    datum() { return S.datum; },
    districtFill(code) {
      let fill = null;
      S.districtLayer.eachLayer((layer) => {
        if (layer.feature.properties.code === code) fill = layer.options.fillColor;
      });
      return fill;
    },
    // Where a merchant is on screen (container pixels), and the clusters drawn: [x, y, count, size].
    pointOf(id) {
      const i = S.idIndex.get(id);
      if (i === undefined) return null;
      const p = S.map.latLngToContainerPoint(latLngOf(i));
      return [p.x, p.y];
    },
    clusterPoints() {
      const out = [];
      S.clusterLayer.eachLayer((m) => {
        const p = S.map.latLngToContainerPoint(m.getLatLng());
        out.push([p.x, p.y, m.count, badgeSize(m.count)]);
      });
      return out;
    },
    clickMerchant(id) {
      const i = S.idIndex.get(id);
      if (i === undefined || !S.mask[i]) return false;
      clickPoint(i);
      return true;
    },
    legendFolded() {
      return legendFolded();
    },
    // An exported page's list: the names it shows for a search.
    listed(query) {
      if (!S.list) return null;
      const search = S.list.querySelector(".uc-list-search");
      search.value = query;
      fillList(S.list, query);
      return Array.from(S.list.querySelectorAll(".uc-list-row")).map((e) => e.textContent);
    },
    clickDistrict(code) {
      let done = false;
      S.districtLayer.eachLayer((layer) => {
        if (!done && layer.feature.properties.code === code) {
          layer.fire("click", {latlng: layer.getBounds().getCenter()});
          done = true;
        }
      });
      return done;
    },
    markerLatLng(id) {
      const i = S.idIndex.get(id);
      if (i === undefined) return null;
      const at = S.selectedMarker && S.selectedMarker.index === i ? S.selectedMarker.getLatLng() : latLngOf(i);
      return [at.lng, at.lat];
    },
    // As if the member picked the n-th GCJ-02 base map (高德) in the layer control, or left it.
    chooseBaseLayer(gcjIndex) {
      const layer = gcjIndex === null ? null : S.gcjLayers[gcjIndex];
      onBaseLayerChange({layer: layer});
      return S.datum;
    },
    clickMap(lon, lat) {
      S.map.fire("click", {latlng: toLatLng(lon, lat)});
    },
    // As if staff dragged a pin to (lon, lat) WGS84 and let go.
    dragMerchant(id, lon, lat) {
      if (!S.editMode || !S.idIndex.has(id)) return false;
      if (S.selected !== id) highlight(id);
      const marker = S.selectedMarker;
      if (!marker) return false;
      marker.setLatLng(toLatLng(lon, lat));
      marker.fire("dragend");
      return true;
    },
    // No zoom animation in progress (tests wait for this, never for a time); loads are synchronous.
    isIdle() {
      return !S.map._animatingZoom;
    },
    isDraggable(id) {
      const marker = S.selectedMarker;
      return !!(marker && S.points.ids[marker.index] === id && marker.dragging && marker.dragging.enabled());
    },
    // As if staff shift-dragged a box from one corner to the other (WGS84).
    boxSelect(west, south, east, north) {
      const e = {shiftKey: true};
      startBox({latlng: toLatLng(west, south), originalEvent: e});
      growBox({latlng: toLatLng(east, north)});
      endBox();
      return true;
    },
  };

  window.UnionMap = UnionMap;
})();
