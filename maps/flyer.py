"""Printable flyers: a PDF with a static map of numbered pins and the matching merchant table.

Drawn with QtGui's QPdfWriter, which embeds the bundled Noto Sans SC (a CFF OpenType font) as a
subset, so the PDF prints the same on any machine. Page 1 carries the map; the table flows onto
further pages with its header repeated; every page has the footer and its page number.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Sequence

import platformdirs
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables.DefaultTable import DefaultTable
from PySide6.QtCore import QByteArray, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
)

from app.bundled import cjk_font
from app.card_service import footer_line
from app.credits import data_attribution
from app.discounts.rules_text import offer_headline
from app.geo.distances import METRIC_CRS
from app.geo.districts import WGS84, DistrictIndex
from app.merchants.categories import CATEGORIES, category_order, resolve_category
from maps.merchant_layer import district_collection
from app.safe_write import replacing

if TYPE_CHECKING:
    import geopandas as gpd

HOW_TO_USE = ("使用方法：在以上商户消费时，出示工会会员服务卡并使用工会卡结账，即可享受所列优惠；"
              "具体以商户店内公告为准。")
FLYER_APPROXIMATE_NOTE = "图上为示意位置，以实际地址为准"
DPI = 300
# More merchants than this and numbered pins would pile on one another: the map shows how many
# there are in each district instead, and the table below is the list.
PIN_LIMIT = 100
COUNTS_NOTE = "商户较多，图上不逐一标出：区块越深商户越多，各区数目见右下，各商户见下表"
PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "a5": QPageSize.PageSizeId.A5}


@dataclass(frozen=True)
class FlyerSpec:
    title: str
    district_names: tuple[str, ...]
    category_names: tuple[str, ...]
    issued: dt.date
    size: str = "a4"
    keep_order: bool = False      # a named list: number the merchants in the order staff put them


@dataclass(frozen=True)
class FlyerResult:
    path: Path
    merchants: int
    pages: int
    missing: str = ""        # characters the print font has no glyph for (emoji): printed blank, and said so


def ensure_gui() -> QGuiApplication:
    """QtGui needs an application object for fonts; offscreen, so no screen is needed."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app


_FAMILY: list[str] = []
# Noto Sans SC maps the Kangxi and CJK radicals and the compatibility ideographs to the same glyphs
# as the ideographs (⼯ U+2F2F and 工 U+5DE5 share one). Qt writes each glyph's ToUnicode entry
# from the first code point it finds, so text copied or searched in the PDF came out as radicals.
# The print copy of the font drops those duplicate code points.
_DUPLICATE_CODE_POINTS = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
PRINT_FAMILY = "UnionCard Print Sans"


def print_font_bytes() -> bytes:
    """The bundled font without its duplicate code points (made once, kept in the user's cache)."""
    source = cjk_font()
    stat = source.stat()
    cache = Path(platformdirs.user_cache_dir("unioncard", appauthor=False)) / \
        f"{source.stem}-print-v2-{stat.st_size}-{int(stat.st_mtime)}.otf"
    if cache.is_file():
        return cache.read_bytes()
    font = TTFont(str(source), recalcBBoxes=False, recalcTimestamp=False)
    for table in font["cmap"].tables:
        if isinstance(getattr(table, "cmap", None), dict):
            table.cmap = {cp: glyph for cp, glyph in table.cmap.items()
                          if not any(lo <= cp <= hi for lo, hi in _DUPLICATE_CODE_POINTS)}
    # Its own family name: the app may already have the original registered as Noto Sans SC.
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 16):
            record.string = PRINT_FAMILY
        elif record.nameID in (4,):
            record.string = f"{PRINT_FAMILY} Regular"
    # Only cmap and name change: every other table is copied as it is (recompiling CFF takes a minute).
    for tag in [t for t in font.tables if t not in ("cmap", "name") and t in font.reader]:
        raw = DefaultTable(tag)
        raw.data = font.reader[tag]
        font.tables[tag] = raw
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(cache.name + f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(cache)
    return data


def cjk_family() -> str:
    """The print copy of the bundled CJK font, registered with Qt once; its family name."""
    if not _FAMILY:
        ensure_gui()
        font_id = QFontDatabase.addApplicationFontFromData(QByteArray(print_font_bytes()))
        if font_id < 0:
            raise RuntimeError(f"Qt could not load the bundled font {cjk_font()}")
        _FAMILY.append(QFontDatabase.applicationFontFamilies(font_id)[0])
    return _FAMILY[0]


def _mm(value: float) -> float:
    return value * DPI / 25.4


def _font(size_pt: float, bold: bool = False) -> QFont:
    """The print font. `bold` gives a heavier colour, not a synthetic bold: Qt fakes bold by
    drawing the text twice, and readers of the PDF would then find every word twice."""
    font = QFont(cjk_family())
    font.setPointSizeF(size_pt)
    # The font's `locl` feature swaps digits after Latin letters (www.wh12351.org) for glyphs that
    # have no code point, which the PDF then cannot turn back into text.
    font.setFeature(QFont.Tag("locl"), 0)
    return font


def numbered(frame: gpd.GeoDataFrame, keep_order: bool = False) -> gpd.GeoDataFrame:
    """The merchants in flyer order (吃住行医游购娱, then the catalogue's pinyin order; or as given, for a
    named list), numbered from 1."""
    out = frame.reset_index(drop=True)
    if not keep_order:
        out = out.assign(_cat=out["category"].map(category_order), _pos=range(len(out)))
        out = out.sort_values(["_cat", "_pos"], kind="stable").drop(columns=["_cat", "_pos"]).reset_index(drop=True)
    out["number"] = range(1, len(out) + 1)
    return out


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Column:
    title: str
    share: float   # of the table width


COLUMNS = (Column("编号", 0.055), Column("名称", 0.155), Column("类别", 0.075), Column("优惠", 0.07),
           Column("优惠内容（含除外事项）", 0.395), Column("地址 / 位置", 0.16), Column("有效期", 0.09))


def _validity(row) -> str:
    start, end = row.get("valid_from"), row.get("valid_to")
    start = start.isoformat() if isinstance(start, dt.date) else (start or None)
    end = end.isoformat() if isinstance(end, dt.date) else (end or None)
    if not start and not end:
        return "未注明"
    return f"{start or '—'} 至 {end or '长期'}"


def _place(row) -> str:
    parts = []
    if isinstance(row.get("address"), str) and row["address"]:
        parts.append(row["address"])
    elif row.get("location_approximate"):
        parts.append(FLYER_APPROXIMATE_NOTE)
    if isinstance(row.get("phone"), str) and row["phone"]:
        parts.append(f"电话 {row['phone']}")
    return "；".join(parts) or "—"


# The most of each column a row prints: a 10,000-character address must not push the row's number, name
# and offer off the page. What is cut ends in …; the offer keeps the most.
CELL_AT_MOST = (6, 40, 8, 24, 240, 60, 30)


_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clipped(text: str, limit: int) -> str:
    """The cell as printed: bidi controls out (an override would reorder the row), cut to `limit` with …"""
    text = _BIDI.sub("", text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def unprintable(texts) -> str:
    """The characters of `texts` the print font cannot draw (an emoji, a rare symbol), each once."""
    from PySide6.QtGui import QRawFont

    if not _RAW:
        ensure_gui()
        _RAW.append(QRawFont(QByteArray(print_font_bytes()), 12))
    raw = _RAW[0]
    seen = dict.fromkeys(ch for text in texts for ch in str(text) if not ch.isspace() and ord(ch) >= 0x20)
    return "".join(ch for ch in seen if not raw.supportsCharacter(ord(ch)))


_RAW: list = []


def table_cells(row) -> list[str]:
    headline = offer_headline(row.get("offer_headline"))
    cells = [str(row["number"]), row["name"], row["category"], headline or "见内容", row["offer"] or "—",
             _place(row), _validity(row)]
    return [clipped(str(c), n) for c, n in zip(cells, CELL_AT_MOST)]


# ---------------------------------------------------------------- drawing


class _Page:
    """Geometry of one page size, in device pixels at DPI."""

    def __init__(self, writer: QPdfWriter, size: str):
        rect = writer.pageLayout().paintRectPixels(DPI)
        self.width, self.height = rect.width(), rect.height()
        small = size == "a5"
        self.scale = 0.78 if small else 1.0
        self.map_height = _mm(70 if small else 100)
        self.footer_height = _mm(13 if small else 14)
        self.body = QRectF(0, 0, self.width, self.height - self.footer_height)


def _draw_header(p: QPainter, page: _Page, spec: FlyerSpec, count: int) -> float:
    p.setPen(QColor("#c92a2a"))
    p.setFont(_font(17 * page.scale, bold=True))
    title_rect = QRectF(0, 0, page.width, _mm(10 * page.scale))
    p.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, spec.title)
    p.setPen(QColor("#495057"))
    p.setFont(_font(9 * page.scale))
    where = "、".join(spec.district_names) or "全市"
    what = "、".join(spec.category_names) or "全部类别"
    line = (f"区：{where}　　类别：{what}　　共 {count} 家商户　　"
            f"发布日期：{spec.issued.year}年{spec.issued.month}月{spec.issued.day}日")
    sub_rect = QRectF(0, title_rect.bottom(), page.width, _mm(6 * page.scale))
    p.drawText(sub_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
    p.setPen(QPen(QColor("#c92a2a"), _mm(0.5)))
    p.drawLine(QPointF(0, sub_rect.bottom() + _mm(1)), QPointF(page.width, sub_rect.bottom() + _mm(1)))
    return sub_rect.bottom() + _mm(3)


def _nice_length(metres: float) -> float:
    exponent = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * exponent <= metres:
            return step * exponent
    return exponent


def _draw_map(p: QPainter, page: _Page, area: QRectF, districts: DistrictIndex, focus: Sequence[str],
              merchants: gpd.GeoDataFrame) -> None:
    import geopandas as gpd

    metric = districts.frame.to_crs(METRIC_CRS)
    focus_frame = metric[metric["code"].isin(focus)] if focus else metric
    points = gpd.GeoSeries(gpd.points_from_xy(merchants["lon"], merchants["lat"]), crs=WGS84).to_crs(METRIC_CRS)
    xmin, ymin, xmax, ymax = focus_frame.total_bounds
    if len(points):
        pxmin, pymin, pxmax, pymax = points.total_bounds
        xmin, ymin, xmax, ymax = min(xmin, pxmin), min(ymin, pymin), max(xmax, pxmax), max(ymax, pymax)
    pad = 0.06 * max(xmax - xmin, ymax - ymin, 1000)
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    scale = min(area.width() / (xmax - xmin), area.height() / (ymax - ymin))  # pixels per metre
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2

    def to_page(x: float, y: float) -> QPointF:
        return QPointF(area.center().x() + (x - cx) * scale, area.center().y() - (y - cy) * scale)

    def path_of(geom) -> QPainterPath:
        path = QPainterPath()
        for polygon in getattr(geom, "geoms", [geom]):
            for ring in [polygon.exterior, *polygon.interiors]:
                path.addPolygon(QPolygonF([to_page(x, y) for x, y in ring.coords]))
                path.closeSubpath()
        return path

    p.save()
    p.setClipRect(area)
    p.fillRect(area, QColor("#f8f9fa"))
    focus_codes = set(focus_frame["code"])
    counts = merchants["district_code"].value_counts().to_dict() if len(merchants) > PIN_LIMIT else None
    # Neighbours first, so the focus districts' outlines are drawn whole on top of them.
    for code, geom in sorted(zip(metric["code"], metric.geometry), key=lambda cg: cg[0] in focus_codes):
        inside = code in focus_codes
        fill = "#e7f5ff" if inside else "#f1f3f5"
        if counts is not None and counts.get(code):
            fill = _shade(counts[code], max(counts.values()))
        p.setBrush(QBrush(QColor(fill)))
        p.setPen(QPen(QColor("#1c7ed6" if inside else "#ced4da"), _mm(0.6 if inside else 0.25)))
        p.drawPath(path_of(geom))
    # District names: the focus in dark, neighbours faint; at their label points, if in view.
    labels = [f["properties"] for f in district_collection(districts)["features"]]
    label_points = gpd.GeoSeries(gpd.points_from_xy([q["label_lon"] for q in labels], [q["label_lat"] for q in labels]),
                                 crs=WGS84).to_crs(METRIC_CRS)
    # A name that would overlap one already drawn is left out (the focus districts' first, then the
    # districts with more merchants): the centre of Wuhan is crowded at city scale.
    drawn: list[QRectF] = []
    order = sorted(zip(labels, label_points), key=lambda lp: (lp[0]["code"] not in focus_codes,
                                                             -(counts or {}).get(lp[0]["code"], 0)))
    for props, point in order:
        at = to_page(point.x, point.y)
        if not area.contains(at):
            continue
        inside = props["code"] in focus_codes
        p.setFont(_font((10 if inside else 8) * page.scale, bold=inside))
        box = QFontMetricsF(p.font()).boundingRect(props["name"])
        box.moveCenter(at)
        if any(box.adjusted(-_mm(0.5), -_mm(0.5), _mm(0.5), _mm(0.5)).intersects(other) for other in drawn):
            continue
        drawn.append(box)
        p.setPen(QColor("#1864ab" if inside else "#adb5bd"))
        p.drawText(QRectF(at.x() - _mm(20), at.y() - _mm(4), _mm(40), _mm(8)), Qt.AlignmentFlag.AlignCenter,
                   props["name"])
    if counts is not None:
        _draw_counts(p, page, area, counts, districts)
    else:
        _draw_pins(p, page, merchants, points, to_page)
    p.restore()
    _draw_scale_and_north(p, page, area, scale)


SHADES = ("#e7f5ff", "#d0ebff", "#a5d8ff", "#74c0fc", "#4dabf7")   # as the app's map shades districts


def _shade(count: int, most: int) -> str:
    step = math.ceil(count / most * len(SHADES)) - 1 if most else 0
    return SHADES[min(max(step, 0), len(SHADES) - 1)]


def _draw_counts(p: QPainter, page: _Page, area: QRectF, counts: dict[str, int], districts: DistrictIndex) -> None:
    """A city-wide flyer: districts shaded by their number of merchants, and the numbers in a box."""
    rows = sorted(((n, districts.name(code) or code) for code, n in counts.items() if n), key=lambda r: (-r[0], r[1]))
    p.setFont(_font(7 * page.scale))
    metrics = QFontMetricsF(p.font())
    line = metrics.height() * 1.15
    title = "各区商户数"
    width = max(metrics.horizontalAdvance(f"{name}  {n:,}") for n, name in rows) + _mm(8) if rows else _mm(20)
    width = max(width, metrics.horizontalAdvance(title) + _mm(4))
    box = QRectF(area.right() - width - _mm(3), area.bottom() - line * (len(rows) + 1) - _mm(5), width,
                 line * (len(rows) + 1) + _mm(2))
    p.setPen(QPen(QColor("#ced4da"), _mm(0.2)))
    p.setBrush(QBrush(QColor(255, 255, 255, 230)))
    p.drawRect(box)
    p.setPen(QColor("#212529"))
    p.drawText(QRectF(box.left() + _mm(2), box.top() + _mm(1), box.width() - _mm(4), line),
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    for i, (n, name) in enumerate(rows, start=1):
        cell = QRectF(box.left() + _mm(2), box.top() + _mm(1) + i * line, box.width() - _mm(4), line)
        p.setBrush(QBrush(QColor(_shade(n, rows[0][0]))))
        p.setPen(QPen(QColor("#1c7ed6"), _mm(0.15)))
        p.drawRect(QRectF(cell.left(), cell.center().y() - _mm(1.1), _mm(2.2), _mm(2.2)))
        p.setPen(QColor("#343a40"))
        p.drawText(cell.adjusted(_mm(3.2), 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        p.drawText(cell, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{n:,}")
    p.setPen(QColor("#495057"))
    p.drawText(QRectF(area.left() + _mm(3), area.top() + _mm(2), area.width() - _mm(20), _mm(5)),
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, COUNTS_NOTE)


def _draw_pins(p: QPainter, page: _Page, merchants: gpd.GeoDataFrame, points: gpd.GeoSeries, to_page) -> None:
    """Numbered pins in their category's colour."""
    radius = _mm(2.4 * page.scale)
    p.setFont(_font(6.5 * page.scale, bold=True))
    for number, category, point in zip(merchants["number"], merchants["category"], points):
        centre = to_page(point.x, point.y)
        found = resolve_category(category)
        p.setBrush(QBrush(QColor(found.colour if found else "#868e96")))
        p.setPen(QPen(QColor("#ffffff"), _mm(0.35)))
        p.drawEllipse(centre, radius, radius)
        p.setPen(QColor("#ffffff"))
        p.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                   Qt.AlignmentFlag.AlignCenter, str(number))


def _draw_scale_and_north(p: QPainter, page: _Page, area: QRectF, scale: float) -> None:
    # Scale bar, bottom left: a round length near a fifth of the map's width.
    length_m = _nice_length(area.width() / scale / 5)
    bar = length_m * scale
    left, base = area.left() + _mm(5), area.bottom() - _mm(5)
    p.setPen(QPen(QColor("#212529"), _mm(0.4)))
    p.setBrush(QBrush(QColor("#212529")))
    p.drawRect(QRectF(left, base - _mm(1.2), bar / 2, _mm(1.2)))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawRect(QRectF(left + bar / 2, base - _mm(1.2), bar / 2, _mm(1.2)))
    p.setFont(_font(7 * page.scale))
    label = f"{length_m / 1000:g} 公里" if length_m >= 1000 else f"{length_m:g} 米"
    p.drawText(QRectF(left - _mm(2), base - _mm(6), _mm(4), _mm(4.5)), Qt.AlignmentFlag.AlignCenter, "0")
    p.drawText(QRectF(left + bar - _mm(10), base - _mm(6), _mm(20), _mm(4.5)), Qt.AlignmentFlag.AlignCenter, label)
    # North arrow, top right (the map is drawn in a grid whose north is up).
    tip = QPointF(area.right() - _mm(8), area.top() + _mm(4))
    p.setPen(QPen(QColor("#212529"), _mm(0.3)))
    p.setBrush(QBrush(QColor("#212529")))
    p.drawPolygon(QPolygonF([tip, QPointF(tip.x() - _mm(2.2), tip.y() + _mm(7)), QPointF(tip.x(), tip.y() + _mm(5.5))]))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawPolygon(QPolygonF([tip, QPointF(tip.x() + _mm(2.2), tip.y() + _mm(7)), QPointF(tip.x(), tip.y() + _mm(5.5))]))
    p.setFont(_font(8 * page.scale, bold=True))
    p.setPen(QColor("#212529"))
    p.drawText(QRectF(tip.x() - _mm(4), tip.y() + _mm(7), _mm(8), _mm(5)), Qt.AlignmentFlag.AlignCenter, "北")
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("#adb5bd"), _mm(0.3)))
    p.drawRect(area)


def _draw_legend(p: QPainter, page: _Page, top: float, merchants: gpd.GeoDataFrame) -> float:
    present = [c for c in CATEGORIES if c.name in set(merchants["category"])]
    p.setFont(_font(8 * page.scale))
    x = 0.0
    metrics = QFontMetricsF(p.font())
    for cat in present:
        p.setBrush(QBrush(QColor(cat.colour)))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QPointF(x + _mm(1.5), top + _mm(2.5)), _mm(1.4), _mm(1.4))
        p.setPen(QColor("#343a40"))
        p.drawText(QPointF(x + _mm(3.6), top + _mm(2.5) + metrics.ascent() / 2 - metrics.descent() / 2), cat.name)
        x += _mm(5) + metrics.horizontalAdvance(cat.name)
    return top + _mm(6)


def _table_geometry(page: _Page) -> list[float]:
    return [c.share * page.width for c in COLUMNS]


def _row_height(p: QPainter, widths: list[float], cells: list[str], pad: float) -> float:
    metrics = QFontMetricsF(p.font())
    flags = int(Qt.TextFlag.TextWordWrap)
    return max(metrics.boundingRect(QRectF(0, 0, w - 2 * pad, 1e6), flags, text).height() for w, text in zip(widths, cells)) + 2 * pad


def _draw_row(p: QPainter, top: float, widths: list[float], cells: list[str], height: float, pad: float,
              header: bool) -> None:
    x = 0.0
    if header:
        p.fillRect(QRectF(0, top, sum(widths), height), QColor("#e9ecef"))
    for i, (w, text) in enumerate(zip(widths, cells)):
        p.setPen(QColor("#212529"))
        align = Qt.AlignmentFlag.AlignCenter if (header or i in (0, 2, 3)) else Qt.AlignmentFlag.AlignLeft
        p.drawText(QRectF(x + pad, top + pad, w - 2 * pad, height - 2 * pad),
                   int(align | Qt.AlignmentFlag.AlignVCenter) | int(Qt.TextFlag.TextWordWrap), text)
        x += w
    p.setPen(QPen(QColor("#ced4da"), _mm(0.2)))
    p.drawLine(QPointF(0, top + height), QPointF(sum(widths), top + height))


def _draw_footer(p: QPainter, page: _Page, number: int, total: int) -> None:
    top = page.height - page.footer_height + _mm(2)
    p.setPen(QPen(QColor("#adb5bd"), _mm(0.2)))
    p.drawLine(QPointF(0, top), QPointF(page.width, top))
    p.setFont(_font(7.5 * page.scale))
    p.setPen(QColor("#495057"))
    text_width = page.width - _mm(22)
    p.drawText(QRectF(0, top + _mm(1), text_width, page.footer_height - _mm(3)),
               int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
               f"{HOW_TO_USE}\n{footer_line()}")
    p.setFont(_font(5.5 * page.scale))
    p.setPen(QColor("#868e96"))
    p.drawText(QRectF(0, page.height - _mm(3.2), page.width, _mm(3)), Qt.AlignmentFlag.AlignLeft,
               data_attribution())   # the district outlines and place names, as their licences ask
    p.drawText(QRectF(text_width, top + _mm(1), _mm(22), _mm(5)), Qt.AlignmentFlag.AlignRight,
               f"第 {number} / {total} 页")


def write_flyer(path: Path, frame: gpd.GeoDataFrame, districts: DistrictIndex, focus_codes: Sequence[str],
                spec: FlyerSpec) -> FlyerResult:
    """Write one flyer; the file appears whole or not at all."""
    if spec.size not in PAGE_SIZES:
        raise ValueError(f"未知的纸张大小“{spec.size}”，应为 a4 或 a5")
    cjk_family()
    merchants = numbered(frame, spec.keep_order)
    path = Path(path)
    with replacing(path, check=_complete_pdf) as partial:
        result = _paint_flyer(partial, path, merchants, districts, focus_codes, spec)
        _complete_pdf(partial)      # Qt's file whole before pypdf reads it (a full disk is ENOSPC, not a parse error);
        _tag_font_subsets(partial)  # `replacing` checks the rewritten file again before it replaces anything
        return result


@dataclass(frozen=True)
class DistrictFlyers:
    written: list[FlyerResult]
    empty: list[str]          # districts with no merchant to print


def write_district_flyers(store, districts: DistrictIndex, out_dir: Path, categories: Sequence[str],
                          issued: dt.date, size: str = "a4", *, include_expired: bool = False,
                          progress=None) -> DistrictFlyers:
    """One flyer per district with merchants (名称.pdf in `out_dir`), for staff to print them all at once.
    `progress(done, total, district)` is called before each district (a window's progress dialog; it
    may raise to stop: the flyers written so far stay, each one whole)."""
    from app.merchants.catalogue import MerchantQuery, drop_expired, search
    from maps.web_map import selection_title

    written, empty = [], []
    pairs = list(zip(districts.frame["code"], districts.frame["name"]))
    for done, (code, name) in enumerate(pairs):
        if progress is not None:
            progress(done, len(pairs), name)
        frame = search(store, districts, MerchantQuery(districts=(code,), categories=tuple(categories)))
        if not include_expired:
            frame, _expired = drop_expired(frame)
        if frame.empty:
            empty.append(name)
            continue
        spec = FlyerSpec(selection_title([name], list(categories)), (name,), tuple(categories), issued, size)
        written.append(write_flyer(Path(out_dir) / f"{name}.pdf", frame, districts, [code], spec))
    return DistrictFlyers(written, empty)


def _tag_font_subsets(partial: Path) -> None:
    """QPdfWriter embeds a subset of Noto Sans SC but names only the font descriptor with the subset's
    tag (QQAAAA+NotoSansSC-Regular); PDF 1.7 §9.6.4 wants the same tagged name as the Type0 font's and
    its CIDFont's BaseFont, which preflight tools and some printers' RIPs check. Rewritten with pypdf."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(str(partial)))
    changed = False
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") != "/Type0":
                continue
            for descendant in font.get("/DescendantFonts", []):
                cid = descendant.get_object()
                tagged = str(cid.get("/FontDescriptor", {}).get_object().get("/FontName", ""))
                if re.fullmatch(r"/[A-Z]{6}\+.+", tagged) and str(cid.get("/BaseFont")) != tagged:
                    cid[NameObject("/BaseFont")] = NameObject(tagged)
                    font[NameObject("/BaseFont")] = NameObject(tagged)
                    changed = True
    if changed:
        with open(partial, "wb") as f:
            writer.write(f)


def _complete_pdf(partial: Path) -> None:
    """QPdfWriter reports no write error: on a full disk it leaves a truncated file. Checked before it
    replaces anything."""
    import errno

    size = partial.stat().st_size if partial.exists() else 0
    with open(partial, "rb") as f:
        head = f.read(5)
        f.seek(max(0, size - 1024))
        tail = f.read()
    if head != b"%PDF-" or b"%%EOF" not in tail:
        raise OSError(errno.ENOSPC, "PDF 未写完整")


def _paint_flyer(partial: Path, path: Path, merchants, districts: DistrictIndex, focus_codes: Sequence[str],
                 spec: FlyerSpec) -> FlyerResult:
    open(partial, "wb").close()   # the system's own reason (read-only, full, no permission), which Qt does not give
    writer = QPdfWriter(str(partial))
    writer.setResolution(DPI)
    writer.setTitle(spec.title)
    writer.setCreator("工会卡 unioncard")
    margin = 10 if spec.size == "a5" else 12
    writer.setPageLayout(QPageLayout(QPageSize(PAGE_SIZES[spec.size]), QPageLayout.Orientation.Portrait,
                                     QMarginsF(margin, margin, margin, margin), QPageLayout.Unit.Millimeter))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"无法写入 {path}")
    try:
        page = _Page(writer, spec.size)
        widths = _table_geometry(page)
        pad = _mm(1.2 * page.scale)
        table_font = _font(7.5 * page.scale)
        header_font = _font(7.5 * page.scale, bold=True)
        rows = [table_cells(r) for _, r in merchants.iterrows()]
        header = [c.title for c in COLUMNS]
        missing = unprintable([spec.title, *(cell for row in rows for cell in row)])

        # Lay the rows out on pages first: the footer says "page n of N".
        painter.setFont(header_font)
        header_height = _row_height(painter, widths, header, pad)
        painter.setFont(table_font)
        heights = [_row_height(painter, widths, cells, pad) for cells in rows]
        first_top = _mm(19 * page.scale) + page.map_height + _mm(8)
        pages: list[list[int]] = [[]]
        y = first_top + header_height
        for i, h in enumerate(heights):
            if y + h > page.body.bottom() and pages[-1]:
                pages.append([])
                y = header_height
            pages[-1].append(i)
            y += h

        for number, indices in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
                top = 0.0
            else:
                top = _draw_header(painter, page, spec, len(merchants))
                map_area = QRectF(0, top, page.width, page.map_height)
                _draw_map(painter, page, map_area, districts, focus_codes, merchants)
                top = _draw_legend(painter, page, map_area.bottom() + _mm(1.5), merchants)
            painter.setFont(header_font)
            _draw_row(painter, top, widths, header, header_height, pad, header=True)
            top += header_height
            painter.setFont(table_font)
            for i in indices:
                _draw_row(painter, top, widths, rows[i], heights[i], pad, header=False)
                top += heights[i]
            if not rows and number == 1:
                painter.drawText(QRectF(0, top + _mm(4), page.width, _mm(10)), Qt.AlignmentFlag.AlignCenter,
                                 "没有符合条件的优惠商户")
            _draw_footer(painter, page, number, len(pages))
    finally:
        painter.end()
    return FlyerResult(path, len(merchants), len(pages), missing)
