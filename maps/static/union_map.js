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
    merchants: {type: "FeatureCollection", features: []}, cluster: null, markers: new Map(),
    selected: null, chunksDone: null, loading: false, pending: null, pickMode: false, near: null, nearLayer: null, richPopups: false,
    editMode: false, box: null, selectAfterLoad: null, revealToken: 0,
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
          if (S.pickMode) {
            pick(e.latlng);
          } else {
            report("reportDistrictClick", feature.properties.code);
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
      const html = `<span class="uc-district-name">${escapeHtml(p.name)}</span>`
        + (n ? `<span class="uc-district-count">${n}</span>` : "");
      L.marker(toLatLng(p.label_lon, p.label_lat), {
        icon: L.divIcon({className: "uc-district-label", html: html, iconSize: null}),
        interactive: false, keyboard: false, pane: "ucLabels", count: n, order: order++,
      }).addTo(S.labelLayer);
    }

  }

  // City view and street view. Zoomed out below DETAIL_ZOOM, with results in several districts,
  // the map summarises: each district's name with its count of matching merchants, and no merchant
  // clusters (their badges covered the names and looked like the counts). From DETAIL_ZOOM in, the merchants themselves in clusters,
  // and the districts by name only. Done with a class on the container, so the cluster layer keeps
  // its state and nothing is rebuilt on a zoom.
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

  // Zoomed out, the seven central districts' labels pile on each other. Keep the labels of the
  // districts with the most matching merchants and hide any label that would overlap one already
  // kept; the hidden districts are still shaded and clickable, and their labels return on zoom-in.
  function declutterLabels() {
    if (!S.labelLayer) return;
    const labels = [];
    S.labelLayer.eachLayer((marker) => {
      const el = marker.getElement();
      if (!el) return;
      el.classList.remove("uc-label-hidden");
      labels.push({el: el, n: marker.options.count || 0, order: marker.options.order});
    });
    labels.sort((a, b) => (b.n - a.n) || (a.order - b.order));
    const kept = [];
    for (const label of labels) {
      const r = label.el.getBoundingClientRect();
      if (!r.width) continue;   // not laid out yet (the page is hidden): nothing to compare
      const clash = kept.some((k) => r.left < k.right + 2 && k.left < r.right + 2
        && r.top < k.bottom + 2 && k.top < r.bottom + 2);
      if (clash) label.el.classList.add("uc-label-hidden"); else kept.push(r);
    }
  }

  // ---- merchants -----------------------------------------------------------------------------
  function colourOf(code) {
    return (S.categories[code] || {colour: "#868e96"}).colour;
  }

  function popupHtml(p) {
    const cat = S.categories[p.c] || {name: p.c};
    let html = `<div class="uc-popup"><div class="uc-popup-name">${escapeHtml(p.n)}</div>`
      + `<div class="uc-popup-meta"><span class="uc-dot" style="background:${colourOf(p.c)}"></span>`
      + `${escapeHtml(cat.name)}${p.b ? " · 最高 " + escapeHtml(p.b) : ""}</div>`;
    if (S.richPopups) {
      if (p.o) html += `<div class="uc-popup-offer">${escapeHtml(p.o)}</div>`;
      if (p.a) html += `<div class="uc-popup-note">${escapeHtml(p.a)}</div>`;
    }
    return html + "</div>";
  }

  // DOM markers (not canvas circles): markercluster can only zoom to and open a marker with an
  // icon element, and only the few unclustered markers in view are ever in the DOM.
  const ICONS = new Map();

  function markerIcon(code, selected) {
    const key = code + (selected ? "!" : "");
    if (!ICONS.has(key)) {
      const size = selected ? 22 : 16;
      ICONS.set(key, L.divIcon({
        className: "uc-pin" + (selected ? " uc-pin-selected" : ""),
        html: `<span style="background:${colourOf(code)}"></span>`,
        iconSize: [size, size], popupAnchor: [0, -size / 2],
      }));
    }
    return ICONS.get(key);
  }

  function clusterIcon(cluster) {
    const n = cluster.getChildCount();
    const size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
    return L.divIcon({
      html: `<div><span>${n}</span></div>`, className: "uc-cluster",
      iconSize: L.point(size, size),
    });
  }

  // One cluster layer for the life of the page, emptied and refilled on each load: removing a
  // cluster layer leaves its queued animation steps running against a map it no longer has.
  // Markers are added while it is on the map, so markercluster adds them in chunks and the page
  // stays responsive with 100,000 merchants; `done` runs once the last chunk is in.
  function makeCluster() {
    S.cluster = L.markerClusterGroup({
      chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 40,
      disableClusteringAtZoom: 16, spiderfyOnMaxZoom: true, iconCreateFunction: clusterIcon,
      chunkProgress: (processed, total) => {
        if (processed === total && S.chunksDone) {
          const done = S.chunksDone;
          S.chunksDone = null;
          done();
        }
      },
    }).addTo(S.map);
  }

  function drawMerchants(done) {
    S.revealToken++;   // a reveal still waiting refers to markers about to go
    S.cluster.clearLayers();
    S.markers = new Map();
    const markers = [];
    for (const f of S.merchants.features) {
      const c = f.geometry.coordinates;
      const marker = L.marker(toLatLng(c[0], c[1]), {
        icon: markerIcon(f.properties.c, f.id === S.selected), title: f.properties.n,
        riseOnHover: true,
      });
      marker.feature = f;
      marker.on("dragend", () => onMarkerDragEnd(marker));
      marker.bindPopup(() => popupHtml(f.properties), {autoPanPadding: [24, 24]});
      marker.on("click", () => {
        highlight(f.id);
        report("reportMerchantClick", f.id);
      });
      S.markers.set(f.id, marker);
      markers.push(marker);
    }
    S.chunksDone = done;
    S.cluster.addLayers(markers);
  }

  function highlight(id) {
    const old = S.markers.get(S.selected);
    if (old) {
      old.setIcon(markerIcon(old.feature.properties.c, false));
      old.setZIndexOffset(0);
    }
    if (old && old.dragging) old.dragging.disable();
    S.selected = id;
    const now = S.markers.get(id);
    if (now) {
      now.setIcon(markerIcon(now.feature.properties.c, true));
      now.setZIndexOffset(1000);
      if (S.editMode && now.dragging) now.dragging.enable();
    }
  }

  // Zoom until a marker is out of its cluster, then run done(). Unlike markercluster's own
  // zoomToShowLayer, a newer selection or a new load cancels the pending one, so no listener is
  // left to touch a marker that has since been removed (markercluster's "_icon of undefined").
  function revealMarker(marker, done) {
    const token = ++S.revealToken;
    const current = () => token === S.revealToken && S.markers.get(marker.feature.id) === marker
      && S.cluster.hasLayer(marker);
    if (marker._icon && S.map.getZoom() >= DETAIL_ZOOM) {   // already drawn on its own: done() pans to it
      done();
      return;
    }
    const onEnd = () => {
      S.map.off("moveend", onEnd);
      if (!current()) return;
      if (marker._icon) {
        done();
        return;
      }
      const parent = S.cluster.getVisibleParent(marker);
      if (parent && parent.spiderfy) {
        S.cluster.once("spiderfied", () => { if (current()) done(); });
        parent.spiderfy();
      }
    };
    S.map.on("moveend", onEnd);
    const zoom = Math.max(S.map.getZoom(), marker._icon ? DETAIL_ZOOM : S.cluster.options.disableClusteringAtZoom);
    whenIdle(() => ours(() => S.map.setView(marker.getLatLng(), zoom, {animate: false})));
  }

  // Moves the page makes itself, as opposed to the member dragging or zooming: only the member's own
  // moves stop the map from following the results (S.userMoved).
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
    report("reportMerchantMoved", marker.feature.id, wgs[0], wgs[1]);
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
    const ids = S.merchants.features.filter((f) => {
      const c = f.geometry.coordinates;
      return bounds.contains(toLatLng(c[0], c[1]));
    }).map((f) => f.id);
    report("reportBoxSelect", JSON.stringify(ids));
  }

  // ---- near here -----------------------------------------------------------------------------
  function pick(latlng) {
    const wgs = fromLatLng(latlng);
    S.pickMode = false;
    S.map.getContainer().classList.remove("uc-picking");
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

  // One merchant load at a time: markercluster cannot drop a layer it is still adding in chunks.
  // A load that arrives meanwhile waits, and only the newest waiting one is kept.
  function load(next) {
    if (S.loading) {
      S.pending = next;
      return;
    }
    S.loading = true;
    S.merchants = next.collection;
    S.counts = next.counts || {};
    if (S.selected && !S.merchants.features.some((f) => f.id === S.selected)) S.selected = null;
    drawDistricts();
    showViewKind();
    drawNear();
    drawMerchants(() => {
      S.loading = false;
      UnionMap.fit(next.view);
      if (next.seq !== null) afterPaint(() => report("reportDrawn", next.seq, next.collection.features.length));
      if (S.pending) {
        const waiting = S.pending;
        S.pending = null;
        load(waiting);
      } else if (S.selectAfterLoad !== null) {
        const id = S.selectAfterLoad;
        S.selectAfterLoad = null;
        UnionMap.selectMerchant(id);
      }
    });
  }

  function redrawAll() {
    load(S.pending || {collection: S.merchants, counts: S.counts, view: null, seq: null});
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
      // markercluster needs the map's zoom range; with no default tile layer folium sets none.
      S.map.setMinZoom(options.minZoom || 8);
      S.map.setMaxZoom(options.maxZoom || 18);
      if (options.offlineBase && S.control) {
        const offline = L.layerGroup().addTo(S.map);
        S.control.addBaseLayer(offline, options.offlineBase);
      }
      S.map.on("baselayerchange", onBaseLayerChange);
      // The member's own moves: a drag, or a zoom the page did not make (wheel, buttons, a cluster
      // click). A resize pans too, but that is not the member choosing a place to look at.
      S.map.on("dragstart", () => { S.userMoved = true; });
      S.map.on("zoomstart", () => { if (!S.ourMove) S.userMoved = true; });
      S.map.on("click", (e) => { if (S.pickMode) pick(e.latlng); });
      S.map.on("mousedown", startBox);
      S.map.on("mousemove", growBox);
      S.map.on("mouseup", endBox);
      chineseControls();
      // District names above the merchants, so a cluster never hides one; they take no clicks.
      S.map.createPane("ucLabels");
      S.map.getPane("ucLabels").style.zIndex = 640;
      S.map.getPane("ucLabels").style.pointerEvents = "none";
      S.map.on("zoomend", showViewKind);
      // A resize (the window, the splitter, the page first shown) keeps the last fitted view in
      // view, unless the member has moved the map since; the labels are then sorted out again.
      S.map.on("resize", () => {
        if (S.lastView && !S.userMoved && !S.loading) UnionMap.fit(S.lastView);
        declutterLabels();
      });
      if (options.legend) UnionMap.addLegend(options.legend);
      drawDistricts();
      ours(() => S.map.fitBounds(S.districtLayer.getBounds(), {padding: [8, 8], animate: false}));
      S.lastView = "all";
      showViewKind();
      makeCluster();
      load({collection: options.merchants || S.merchants, counts: options.counts, view: null, seq: null});
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
        let html = `<div class="uc-legend-title">${escapeHtml(title)}</div><div class="uc-legend-grid">`;
        for (const code of Object.keys(S.categories)) {
          const c = S.categories[code];
          html += `<div><span class="uc-dot" style="background:${c.colour}"></span>${escapeHtml(c.name)}</div>`;
        }
        html += `</div><div class="uc-legend-shade">区块越深，符合条件的商户越多</div>`
          + `<div class="uc-legend-city">区名下的数字是该区符合条件的商户数；放大地图或点击一个区，查看各商户</div>`;
        div.innerHTML = html;
        return div;
      };
      legend.addTo(S.map);
    },

    // New merchants for a filter change: one FeatureCollection, the per-district counts, where
    // to look (null: stay; "merchants"; "near"; or district codes), and a number the page hands
    // back through reportDrawn once this load is painted.
    setMerchants(collection, counts, view, seq) {
      load({collection: collection, counts: counts, view: view, seq: seq === undefined ? null : seq});
      return collection.features.length;
    },

    fit(view) {
      // "results": follow the filtered merchants unless the member has moved the map since;
      // "all": back out to everything shown (全部区, 清除); districts or "near": there, whatever.
      if (!view || (view === "results" && S.userMoved)) return;
      S.userMoved = false;
      let bounds = null;
      if (view === "all") {
        bounds = S.districtLayer.getBounds();
      } else if ((view === "merchants" || view === "results") && S.merchants.features.length) {
        bounds = L.latLngBounds(S.merchants.features.map((f) => toLatLng(f.geometry.coordinates[0], f.geometry.coordinates[1])));
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

    selectMerchant(id) {
      // While markercluster is still adding a load, its markers have no icons yet: zooming to one
      // throws. Select once the newest load is in.
      if (S.loading) {
        S.selectAfterLoad = id;
        return true;
      }
      const marker = S.markers.get(id);
      if (!marker) return false;
      highlight(id);
      S.lastView = null;   // the map now shows this merchant, not the results
      revealMarker(marker, () => {
        if (S.editMode && S.selected === id && marker.dragging) marker.dragging.enable();
        ours(() => S.map.panTo(marker.getLatLng()));
        marker.openPopup();
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
      highlight(S.selected);
      return S.editMode;
    },

    // Put a dragged pin back where the catalogue has it (the move was cancelled or refused).
    resetMarker(id) {
      const marker = S.markers.get(id);
      const f = marker && marker.feature;
      if (!f) return false;
      marker.setLatLng(toLatLng(f.geometry.coordinates[0], f.geometry.coordinates[1]));
      return true;
    },

    setNear(lon, lat, radius) {
      S.near = (lon === null || lon === undefined) ? null : {lon: lon, lat: lat, radius: radius};
      drawNear();
    },

    // What the page shows, for tests and for the status of a snapshot.
    featureCount() { return S.merchants.features.length; },
    zoom() { return S.map.getZoom(); },
    followsResults() { return !S.userMoved; },
    markerCount() { return S.markers.size; },
    selectedId() { return S.selected; },
    datum() { return S.datum; },
    districtFill(code) {
      let fill = null;
      S.districtLayer.eachLayer((layer) => {
        if (layer.feature.properties.code === code) fill = layer.options.fillColor;
      });
      return fill;
    },
    clickMerchant(id) {
      const marker = S.markers.get(id);
      if (marker) marker.fire("click");
      return !!marker;
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
      const marker = S.markers.get(id);
      return marker ? [marker.getLatLng().lng, marker.getLatLng().lat] : null;
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
      const marker = S.markers.get(id);
      if (!marker || !S.editMode) return false;
      marker.setLatLng(toLatLng(lon, lat));
      marker.fire("dragend");
      return true;
    },
    // No load, zoom animation or pending reveal in progress (tests wait for this, never for a time).
    isIdle() {
      return !S.loading && !S.map._animatingZoom && S.selectAfterLoad === null;
    },
    isDraggable(id) {
      const marker = S.markers.get(id);
      return !!(marker && marker.dragging && marker.dragging.enabled());
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
