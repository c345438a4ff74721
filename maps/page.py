"""The map page: a folium shell whose Leaflet, script and font are local files.

Two forms of one page. The app's page links every asset by file URL and receives its merchants
later through the Qt bridge; the exported web map inlines every asset and its merchants, so one
HTML file opens offline in any browser. Neither ever asks a CDN: folium's default jQuery,
Bootstrap and awesome-markers links are replaced by Leaflet alone.
"""

from __future__ import annotations

import base64
import html
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xs_leaflet
from folium import Element, Figure, MacroElement
from folium.template import Template

from app.bundled import cjk_font
from app.credits import data_attribution
from app.geo.districts import DistrictIndex
from maps.merchant_layer import category_table, district_collection

STATIC = Path(__file__).resolve().parent / "static"
FONT_FAMILY = "UnionCardSans"
WUHAN_CENTRE = (30.59, 114.30)  # lat, lon
OFFLINE_BASE = "离线底图（区界）"
LEGEND_TITLE = "商户类别"


@dataclass(frozen=True)
class TileSource:
    name: str
    url: str
    attribution: str
    subdomains: str
    datum: str  # the datum the tiles are drawn in; gcj02 layers shift the overlays to match


# Optional online base maps, off by default: the app is complete without them.
TILE_SOURCES = (
    TileSource("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
               '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> 贡献者',
               "abc", "wgs84"),
    TileSource("高德地图", "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
               "&copy; 高德地图 AutoNavi", "1234", "gcj02"),
)


def _asset(directory: str, name: str) -> Path:
    path = Path(directory) / name
    if not path.is_file():
        raise FileNotFoundError(f"map asset missing: {path}")
    return path


def scripts() -> list[Path]:
    """The page's JavaScript, in load order."""
    return [
        _asset(xs_leaflet.BASE_DIR, "leaflet.js"),
        STATIC / "union_map.js",
    ]


def stylesheets() -> list[Path]:
    return [
        _asset(xs_leaflet.BASE_DIR, "leaflet.css"),
        STATIC / "union_map.css",
    ]


class _Init(MacroElement):
    """Calls UnionMap.init once folium has declared the map, its tile layers and layer control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        UnionMap.init(Object.assign({{ this.options }}, {
            map: {{ this._parent.get_name() }},
            control: {{ this.control.get_name() }},
            gcjLayers: [{% for layer in this.gcj_layers %}{{ layer.get_name() }}, {% endfor %}],
        }));
        {% endmacro %}
    """)

    def __init__(self, control, gcj_layers, options: dict):
        super().__init__()
        self._name = "UnionMapInit"
        self.control = control
        self.gcj_layers = gcj_layers
        self.options = _script_json(options)


def _script_json(data) -> str:
    """JSON safe to place inside a <script> element."""
    # "</" would end the <script> element, and "<!--" followed by "<script" puts the HTML parser in a state
    # where the next "</script>" no longer ends it (one merchant so named blanked the whole exported map):
    # no "<" at all, nor ">" or "&". JSON has them only inside strings, where \u003c reads back as "<".
    # U+2028/U+2029 ended a JavaScript string in older engines.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _shell(districts: DistrictIndex, title: str, options: dict) -> tuple[Figure, folium.Map]:
    figure = Figure(title=html.escape(title))
    fmap = folium.Map(location=WUHAN_CENTRE, zoom_start=10, tiles=None, control_scale=False,
                      prefer_canvas=True, min_zoom=8, max_zoom=18)
    # The only library the page needs is Leaflet; drop folium's CDN defaults.
    fmap.default_js = []
    fmap.default_css = []
    fmap.add_to(figure)
    gcj_layers = []
    for source in TILE_SOURCES:
        layer = folium.TileLayer(tiles=source.url, attr=source.attribution, name=source.name,
                                 subdomains=source.subdomains, overlay=False, control=True, show=False,
                                 max_zoom=18)
        layer.add_to(fmap)
        if source.datum == "gcj02":
            gcj_layers.append(layer)
    control = folium.LayerControl(position="topright", collapsed=True)
    control.add_to(fmap)
    payload = {
        "categories": category_table(),
        "districts": district_collection(districts),
        "offlineBase": OFFLINE_BASE,
        "legend": LEGEND_TITLE,
        "dataAttribution": data_attribution(html=True),
        **options,
    }
    _Init(control, gcj_layers, payload).add_to(fmap)
    return figure, fmap


def _font_face(url: str) -> str:
    return (f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}") format("opentype"); '
            'font-display: block; }')


def write_app_page(directory: Path, districts: DistrictIndex, bridge_script: str = "qwebchannel.js") -> Path:
    """Write the app's page into `directory`, linking local assets by file URL; returns its path.

    `bridge_script` is the file name, beside the page, of Qt's qwebchannel.js (the widget layer
    copies it out of Qt's resources, since maps/ never imports Qt).
    """
    figure, _ = _shell(districts, "工会卡商户地图", {"richPopups": False})
    header = figure.header
    for path in stylesheets():
        header.add_child(Element(f'<link rel="stylesheet" href="{path.as_uri()}"/>'))
    header.add_child(Element(f"<style>{_font_face(cjk_font().as_uri())}</style>"))
    header.add_child(Element(f'<script src="{html.escape(bridge_script)}"></script>'))
    for path in scripts():
        header.add_child(Element(f'<script src="{path.as_uri()}"></script>'))
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "explorer.html"
    page.write_text(figure.render(), encoding="utf-8")
    return page


# ---------------------------------------------------------------- self-contained export

_SOURCE_MAP = re.compile(r"/[/*]# sourceMappingURL=\S+(\s*\*/)?")
_CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")


def _inline_css(path: Path) -> str:
    """The stylesheet with each relative url(...) (Leaflet's layer icons) turned into a data URI."""
    def data_uri(match: re.Match) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            return match.group(0)
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return f'url("data:{mime};base64,{base64.b64encode(target.read_bytes()).decode()}")'

    return _CSS_URL.sub(data_uri, _SOURCE_MAP.sub("", path.read_text(encoding="utf-8")))


def _inline_js(path: Path) -> str:
    text = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def render_web_map(districts: DistrictIndex, points: dict, counts: dict[str, int], title: str) -> str:
    """One self-contained HTML page (assets, data and a subset of the font inlined); `points` is a
    merchant_layer.point_table, every one of them shown."""
    from maps.font_subset import subset_font_base64

    # A page on its own: its title shown, a list to search, and opened on the merchants it holds.
    figure, _ = _shell(districts, title, {"richPopups": True, "points": points, "mask": "all", "counts": counts,
                                          "pageTitle": title, "merchantList": True, "fitMerchants": True})
    header = figure.header
    for path in stylesheets():
        header.add_child(Element(f"<style>{_inline_css(path)}</style>"))
    for path in scripts():
        header.add_child(Element(f"<script>{_inline_js(path)}</script>"))
    page = figure.render()
    # Subset the font to exactly the characters this page can show, and embed it.
    font = subset_font_base64(cjk_font(), page)
    face = _font_face(f"data:font/otf;base64,{font}")
    return page.replace("</head>", f"<style>{face}</style>\n</head>", 1)
