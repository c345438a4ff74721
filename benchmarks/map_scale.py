"""The map at city scale: what a filter change costs from click to painted map, at 1k to 1M merchants,
beside the naive ways measured in the same run (issue 16).

    python benchmarks/map_scale.py [--counts 1000,10000,100000,1000000] [--repeat 5]
                                   [--naive-up-to 100000] [--folium-up-to 10000]

Runs the real window offscreen (QtWebEngine included) on synthetic catalogues (bench_catalogue.py,
built once and cached). For each size it prints:

- opening: the catalogue index read, and window shown → every merchant painted;
- filter changes (category, district, text, minimum saving, near here, each set and cleared, `repeat`
  times): click → map painted, p50 and p95; and the longest the Qt main thread was blocked during
  them (the longest gap between ticks of a 10 ms QTimer);
- memory: the process's resident size once open;
- the naive ways, in the same run, with the ratio to ours:
  - "GeoJSON + markercluster", the path before issue 16: the SQL search with full rows, one GeoJSON
    Feature per merchant, JSON, and Leaflet.markercluster rebuilding its layer (needs the `bench`
    extra: pip install -e ".[bench]"). Above --naive-up-to only its Python half is run, printed
    as a lower bound (≥): a page of a million markers is beyond it;
  - "folium markers": one folium.Marker per merchant, the page rendered and loaded again.

Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_catalogue import catalogue_url


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Ticker:
    """A 10 ms QTimer; the longest gap between its ticks is how long the main thread was blocked."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()   # from the click: a change that blocks at once counts too
        self.longest = 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def pump(app, predicate, timeout_s: float = 600) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the map did not finish drawing")
        app.processEvents()
        time.sleep(0.001)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def filter_actions(explorer):
    panel = explorer.panel

    def text(value):
        panel.search_box.setText(value)
        panel.flush_text()

    def saving(i):
        panel.saving_box.setCurrentIndex(i)

    return [
        ("category 餐饮", lambda: panel.category_buttons["餐饮"].click()),
        ("category back", lambda: panel.category_buttons["餐饮"].click()),
        ("district 青山区", lambda: panel.select_only_district("420107")),
        ("whole city", panel.clear_districts),
        ("text 中百", lambda: text("中百")),
        ("text cleared", lambda: text("")),
        ("min saving", lambda: saving(2)),
        ("saving back", lambda: saving(0)),
        ("near 1 km", lambda: panel.set_near(114.39, 30.63)),
        ("near cleared", panel.clear_near),
    ]


def measure_ours(app, url: str, repeat: int) -> dict:
    from app.merchants.catalogue_index import CatalogueIndex
    from app.seed import open_seeded_store
    from widgets.main_window import MainWindow

    store, districts = open_seeded_store(url)
    start = time.perf_counter()
    CatalogueIndex.load(store, districts)
    index_s = time.perf_counter() - start
    start = time.perf_counter()
    window = MainWindow(store, districts)
    window.show()
    explorer = window.explorer
    pump(app, lambda: explorer.map_settled)
    open_s = time.perf_counter() - start
    settle = time.perf_counter() + 1.0   # a member looks at the map a moment before the first click
    pump(app, lambda: time.perf_counter() > settle)
    ticker = Ticker()
    times, blocked = [], 0.0
    for _ in range(repeat):
        for _label, action in filter_actions(explorer):
            ticker.start()
            start = time.perf_counter()
            action()
            pump(app, lambda: explorer.map_settled)
            times.append(time.perf_counter() - start)
            blocked = max(blocked, ticker.stop())
    memory = rss_mb()
    window.close()
    window.deleteLater()
    store.close()
    return {"index": index_s, "open": open_s, "p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
            "blocked": blocked, "rss": memory, "changes": len(times)}


# ---------------------------------------------------------------- the path before issue 16


def open_page(app, page: Path):
    """A plain browser view of a local page (its local scripts allowed), once it has loaded."""
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineCore import QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    view.resize(1000, 700)
    view.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
    loaded = []
    view.loadFinished.connect(loaded.append)
    view.setUrl(QUrl.fromLocalFile(str(page)))
    view.show()
    pump(app, lambda: bool(loaded))
    return view


NAIVE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{leaflet_css}"><link rel="stylesheet" href="{cluster_css}">
<script src="{leaflet_js}"></script><script src="{cluster_js}"></script>
<style>html,body,#map{{height:100%;margin:0}}</style></head><body><div id="map"></div><script>
const map = L.map("map", {{preferCanvas: true, minZoom: 8, maxZoom: 18}}).setView([30.59, 114.30], 10);
const cluster = L.markerClusterGroup({{chunkedLoading: true, maxClusterRadius: 40, disableClusteringAtZoom: 16,
  chunkProgress: (done, total) => {{ if (done === total && window.finish) window.finish(); }}}}).addTo(map);
window.state = "idle";
// One filter change as the app made it before: parse the GeoJSON, drop every marker, add the new ones.
window.load = (text) => {{
  window.state = "busy";
  const start = performance.now();
  const data = JSON.parse(text);
  cluster.clearLayers();
  const markers = data.features.map((f) => L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]],
    {{title: f.properties.n}}));
  window.finish = () => {{ window.finish = null; requestAnimationFrame(() => requestAnimationFrame(() => {{
    window.pageMs = performance.now() - start; window.state = "done"; }})); }};
  cluster.addLayers(markers);
  if (!markers.length) window.finish();
}};
</script></body></html>"""


def naive_geojson(frame) -> dict:
    """One Feature per merchant, as maps/merchant_layer.merchant_collection built it before issue 16."""
    from app.discounts.rules_text import offer_headline
    from app.merchants.categories import resolve_category

    features = []
    for mid, name, category, headline, lon, lat in zip(frame["id"], frame["name"], frame["category"],
                                                      frame["offer_headline"], frame["lon"], frame["lat"]):
        found = resolve_category(category)
        features.append({"type": "Feature", "id": mid,
                         "properties": {"n": name, "c": found.code if found else "services", "b": offer_headline(headline)},
                         "geometry": {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}})
    return {"type": "FeatureCollection", "features": features}


def measure_naive_cluster(app, url: str, folder: Path) -> dict | None:
    try:
        import xstatic.pkg.leaflet as xs_leaflet
        import xstatic.pkg.leaflet_markercluster as xs_cluster
    except ImportError:
        return None

    from app.merchants.catalogue import MerchantQuery, search
    from app.seed import open_seeded_store

    page = folder / "naive.html"
    page.write_text(NAIVE_PAGE.format(
        leaflet_css=Path(xs_leaflet.BASE_DIR, "leaflet.css").as_uri(),
        leaflet_js=Path(xs_leaflet.BASE_DIR, "leaflet.js").as_uri(),
        cluster_css=Path(xs_cluster.BASE_DIR, "MarkerCluster.css").as_uri(),
        cluster_js=Path(xs_cluster.BASE_DIR, "leaflet.markercluster.js").as_uri()), encoding="utf-8")
    view = open_page(app, page)
    store, districts = open_seeded_store(url)

    def js(expression):
        box = []
        view.page().runJavaScript(expression, 0, box.append)
        pump(app, lambda: bool(box))
        return box[0]

    times, blocked = [], 0.0
    for query in (MerchantQuery(), MerchantQuery(categories=("餐饮",)), MerchantQuery()):
        start = time.perf_counter()
        text = json.dumps(naive_geojson(search(store, districts, query)), ensure_ascii=False)
        python_s = time.perf_counter() - start
        data = folder / "data.json"
        data.write_text(text, encoding="utf-8")
        # The page reads the text (not timed: the app sent it over the bridge), then parses and clusters.
        js(f"""(() => {{ const r = new XMLHttpRequest(); r.open("GET", {json.dumps(data.as_uri())}, false);
                r.send(); window.load(r.responseText); return true; }})()""")
        pump(app, lambda: js("window.state") == "done")
        page_s = js("window.pageMs") / 1000
        times.append(python_s + page_s)
        blocked = max(blocked, python_s)   # the old explorer did the query and the GeoJSON on the GUI thread
    store.close()
    view.close()
    view.deleteLater()
    return {"p50": statistics.median(times), "blocked": blocked}


def measure_naive_python(url: str) -> float:
    """The old path's Python half alone (SQL search with full rows, GeoJSON, JSON): a lower bound for
    sizes where the page half (markercluster with every merchant) is not run."""
    from app.merchants.catalogue import search
    from app.seed import open_seeded_store

    store, districts = open_seeded_store(url)
    start = time.perf_counter()
    json.dumps(naive_geojson(search(store, districts)), ensure_ascii=False)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def measure_folium(app, url: str, folder: Path) -> float:
    """One folium.Marker per merchant: the page rendered and loaded (what every filter change costs)."""
    import folium
    import xstatic.pkg.leaflet as xs_leaflet

    from app.merchants.catalogue import search
    from app.seed import open_seeded_store

    store, districts = open_seeded_store(url)
    start = time.perf_counter()
    frame = search(store, districts)
    fmap = folium.Map(location=(30.59, 114.30), zoom_start=10, tiles=None)
    # Leaflet from the local copy (folium's default is a CDN, out of reach offline).
    fmap.default_js = [("leaflet", Path(xs_leaflet.BASE_DIR, "leaflet.js").as_uri())]
    fmap.default_css = [("leaflet_css", Path(xs_leaflet.BASE_DIR, "leaflet.css").as_uri())]
    for name, lon, lat in zip(frame["name"], frame["lon"], frame["lat"]):
        folium.Marker((lat, lon), tooltip=name).add_to(fmap)
    page = folder / "folium.html"
    fmap.save(str(page))
    view = open_page(app, page)
    painted = []   # every marker's icon in the page, then two frames
    view.page().runJavaScript("document.querySelectorAll('.leaflet-marker-icon').length", 0, painted.append)
    pump(app, lambda: bool(painted))
    elapsed = time.perf_counter() - start
    if painted[0] != len(frame):
        raise RuntimeError(f"the folium page drew {painted[0]} of {len(frame)} markers")
    store.close()
    view.close()
    view.deleteLater()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--naive-up-to", type=int, default=100_000)
    parser.add_argument("--folium-up-to", type=int, default=10_000)
    args = parser.parse_args()
    from widgets.fonts import install_cjk_font
    from widgets.qt_app import ensure_qapplication

    app = ensure_qapplication(offscreen=True)
    install_cjk_font(app)
    rows = []
    for count in (int(c) for c in args.counts.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            source = catalogue_url(count).removeprefix("sqlite:///")
            shutil.copy(source, folder / "bench.sqlite")   # the app may write (favourites, settings)
            url = f"sqlite:///{folder / 'bench.sqlite'}"
            ours = measure_ours(app, url, args.repeat)
            if count <= args.naive_up_to:
                naive = measure_naive_cluster(app, url, folder)
            else:   # the page would hold every merchant as a marker: only the Python half, a lower bound
                python_s = measure_naive_python(url)
                naive = {"p50": python_s, "blocked": python_s, "lower_bound": True}
            folium_s = measure_folium(app, url, folder) if count <= args.folium_up_to else None
        rows.append((count, ours, naive, folium_s))
        print_row(count, ours, naive, folium_s)
    print()
    print_table(rows)
    sys.stdout.flush()
    os._exit(0)   # not QtWebEngine's teardown at exit, which can crash offscreen


def _ratio(naive: float | None, ours: float, at_least: bool = False) -> str:
    if naive is None:
        return "not run"
    sign = "≥ " if at_least else ""
    return f"{sign}{naive:.2f} s ({sign}{naive / ours:.0f}×)"


def _naive(naive: dict | None, ours: dict) -> str:
    if naive is None:
        return "not run"
    return _ratio(naive["p50"], ours["p50"], naive.get("lower_bound", False))


def print_row(count, ours, naive, folium_s) -> None:
    print(f"{count:>9,} merchants: index {ours['index']:.2f} s, open {ours['open']:.2f} s, "
          f"filter p50 {ours['p50'] * 1000:.0f} ms p95 {ours['p95'] * 1000:.0f} ms "
          f"({ours['changes']} changes), main thread blocked ≤ {ours['blocked'] * 1000:.0f} ms, "
          f"RSS {ours['rss']:.0f} MB; naive cluster {_naive(naive, ours)}; "
          f"folium markers {_ratio(folium_s, ours['p50'])}", flush=True)


def print_table(rows) -> None:
    print("| merchants | index read | open → painted | filter change p50 | p95 | main thread blocked (max) | "
          "memory (RSS) | GeoJSON + markercluster (p50, ratio) | folium markers (ratio) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count, ours, naive, folium_s in rows:
        blocked = "" if naive is None else \
            f" (naive {'≥ ' if naive.get('lower_bound') else ''}{naive['blocked'] * 1000:.0f} ms)"
        print(f"| {count:,} | {ours['index']:.2f} s | {ours['open']:.2f} s | {ours['p50'] * 1000:.0f} ms | "
              f"{ours['p95'] * 1000:.0f} ms | {ours['blocked'] * 1000:.0f} ms{blocked} | {ours['rss']:.0f} MB | "
              f"{_naive(naive, ours)} | {_ratio(folium_s, ours['p50'])} |")


if __name__ == "__main__":
    main()
