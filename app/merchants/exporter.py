"""Writing a query result by extension: GeoJSON (RFC 7946), CSV (UTF-8 with BOM, for Excel; with .csvt and
.prj beside it so GDAL and QGIS place the points without options), XLSX, and through GDAL GeoPackage,
Shapefile and KML (app/merchants/gis_files.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from app.safe_write import replacing, replacing_together
from app.merchants.fields import COLUMNS, FLAG_FIELDS, json_value

if TYPE_CHECKING:
    import geopandas as gpd

EXPORT_SUFFIXES = (".geojson", ".json", ".csv", ".xlsx", ".gpkg", ".shp", ".kml")
# The coordinate system of the .prj beside a CSV export (GeoCSV): WGS84 longitude/latitude.
_WGS84_PRJ = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
              'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
              'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],'
              'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]')


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
# name would run when staff open an export. In a CSV such text is written behind an apostrophe, which
# the spreadsheet hides and our importer removes again, so an export still imports back unchanged; an
# XLSX stores it as a text cell with the quote prefix instead (nothing added to the text).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unsafe_cell(text: str) -> str:
    """The text `safe_cell` protected, as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _table_rows(frame: gpd.GeoDataFrame, *, protect=safe_cell, dates_as_text: bool = True) -> list[list]:
    rows = []
    for _, row in frame.iterrows():
        out = []
        for c in COLUMNS:
            value = row[c.key] if not dates_as_text and c.key in ("valid_from", "valid_to") else json_value(row[c.key])
            if value is not None and value != value:   # NaN / NaT
                value = None
            if c.key in FLAG_FIELDS:
                value = "是" if value else "否"
            out.append(protect(value))
        rows.append(out)
    return rows


def _csvt() -> str:
    """GDAL's column types for the CSV export: text everywhere (MCC 0763 keeps its zero) but the
    position, which GDAL and QGIS then read as a point without being told which columns hold it."""
    types = {"lon": "CoordX", "lat": "CoordY"}
    return ",".join(f'"{types.get(c.key, "String")}"' for c in COLUMNS) + "\n"


def _write_csv(frame: gpd.GeoDataFrame, path: Path) -> None:
    with replacing_together(path) as folder:
        with (folder / path.name).open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([c.label for c in COLUMNS])
            writer.writerows(_table_rows(frame))
        (folder / path.with_suffix(".csvt").name).write_text(_csvt(), encoding="ascii")
        (folder / path.with_suffix(".prj").name).write_text(_WGS84_PRJ, encoding="ascii")


_XLSX_WIDTHS = {"id": 12, "name": 28, "category": 10, "district": 10, "mcc": 10, "mcc_assumed": 8, "offer": 48,
                "address": 36, "phone": 16, "lon": 12, "lat": 12, "valid_from": 12, "valid_to": 12,
                "location_approximate": 8, "source": 20}


def _write_xlsx(frame: gpd.GeoDataFrame, path: Path) -> None:
    """A sheet staff can work in: a frozen header with filters, widths that fit, real date cells, and
    formula-like text stored as text (Excel's quote prefix: shown and read back as typed, never run)."""
    import datetime as _dt

    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "商户"
    sheet.append([c.label for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in _table_rows(frame, protect=lambda v: v, dates_as_text=False):
        sheet.append([None] * len(values))
        for cell, value in zip(sheet[sheet.max_row], values):
            if isinstance(value, _dt.datetime):
                value = value.date()
            cell.value = value
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True
            elif isinstance(value, _dt.date):
                cell.number_format = "yyyy-mm-dd"
    for i, c in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _XLSX_WIDTHS.get(c.key, 12)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"
    with replacing(path) as tmp:
        book.save(tmp)


def export_merchants(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write `frame` (a catalogue result) to `path`; the format follows the file extension.

    CSV and XLSX use the Chinese column labels staff know, and import back unchanged; GeoJSON and the
    GIS formats use the English keys.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"不支持导出为“{suffix or '无扩展名'}”，请使用 .geojson、.csv、.xlsx、.gpkg、.shp 或 .kml")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".geojson", ".json"):
        with replacing(path) as tmp:  # never a half-written file under the real name
            tmp.write_text(json.dumps(_geojson(frame), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        _write_csv(frame, path)
    elif suffix == ".xlsx":
        _write_xlsx(frame, path)
    else:
        from app.merchants.gis_files import write_gis

        write_gis(frame, path)
    return path
