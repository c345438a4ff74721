"""Writing a query result as GeoJSON (RFC 7946), CSV (UTF-8 with BOM, for Excel) or XLSX, by extension."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from app.safe_write import replacing
from app.merchants.fields import COLUMNS, FLAG_FIELDS

if TYPE_CHECKING:
    import geopandas as gpd

EXPORT_SUFFIXES = (".geojson", ".json", ".csv", ".xlsx")


def json_value(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _properties(row) -> dict:
    return {c.key: json_value(row[c.key]) for c in COLUMNS if c.key not in ("lon", "lat")}


def _geojson(frame: gpd.GeoDataFrame) -> dict:
    features = []
    for _, row in frame.iterrows():
        props = _properties(row)
        features.append(
            {
                "type": "Feature",
                "id": props["id"],
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# A cell starting with one of these is a formula to Excel and WPS: "=HYPERLINK(...)" in a merchant's
# name would run when staff open an export. Such text is written behind an apostrophe, which the
# spreadsheet hides and our importer removes again, so an export still imports back unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unsafe_cell(text: str) -> str:
    """The text `safe_cell` protected, as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _table_rows(frame: gpd.GeoDataFrame) -> list[list]:
    rows = []
    for _, row in frame.iterrows():
        out = []
        for c in COLUMNS:
            value = json_value(row[c.key])
            if c.key in FLAG_FIELDS:
                value = "是" if value else "否"
            out.append(safe_cell(value))
        rows.append(out)
    return rows


def export_merchants(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write `frame` (a catalogue result) to `path`; the format follows the file extension.

    CSV and XLSX use the Chinese column labels staff know, and import back unchanged.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"不支持导出为“{suffix or '无扩展名'}”，请使用 .geojson、.csv 或 .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:  # never a half-written file under the real name
        if suffix in (".geojson", ".json"):
            tmp.write_text(json.dumps(_geojson(frame), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow([c.label for c in COLUMNS])
                writer.writerows(_table_rows(frame))
        else:
            import openpyxl

            book = openpyxl.Workbook()
            sheet = book.active
            sheet.title = "商户"
            sheet.append([c.label for c in COLUMNS])
            for row in _table_rows(frame):
                sheet.append(row)
            book.save(tmp)
    return path
