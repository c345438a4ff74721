"""Merchants in the files GIS people use, through the GDAL that pyogrio ships: GeoPackage, Shapefile and
KML out; GeoPackage and Shapefile in.

Fields carry the same English keys as the GeoJSON export (Shapefile's ten-letter names where a key is
longer), positions are points in WGS84 (EPSG:4326), and MCC codes stay text so 0763 keeps its zero.
A file in another coordinate system is reprojected to WGS84 on import.
"""

from __future__ import annotations

import errno
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.merchants.fields import COLUMNS, FLAG_FIELDS, LABELS, SHAPEFILE_NAMES, column_key, json_value
from app.problems import Problem
from app.safe_write import WriteFailed, describe, replacing_together

if TYPE_CHECKING:
    import geopandas as gpd

WGS84 = "EPSG:4326"
# suffix -> (GDAL driver, what staff call it)
WRITE_DRIVERS = {".gpkg": ("GPKG", "GeoPackage"), ".shp": ("ESRI Shapefile", "Shapefile"), ".kml": ("KML", "KML")}
READ_SUFFIXES = (".gpkg", ".shp")
SHAPEFILE_TEXT_BYTES = 254   # a dBase text field holds at most this many bytes; GDAL cuts longer text silently


def _attribute_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The export's columns as GIS fields: text stays text (None where empty), flags are booleans,
    dates are ISO text, and the position is the geometry (lon/lat are not repeated as fields)."""
    import geopandas as gpd
    import shapely

    data = {}
    for c in COLUMNS:
        if c.key in ("lon", "lat"):
            continue
        values = [json_value(v) for v in frame[c.key]]
        if c.key in FLAG_FIELDS:
            values = [bool(v) for v in values]
        else:
            values = [None if v is None or v == "" else str(v) for v in values]
        data[c.key] = values
    geometry = shapely.points(frame["lon"].astype(float).to_numpy(), frame["lat"].astype(float).to_numpy())
    return gpd.GeoDataFrame(data, geometry=geometry, crs=WGS84)


def _too_long_for_shapefile(attrs: gpd.GeoDataFrame) -> list[str]:
    out = []
    for key in attrs.columns:
        if key == "geometry" or key in FLAG_FIELDS:
            continue
        for merchant_id, value in zip(attrs["id"], attrs[key]):
            if isinstance(value, str) and len(value.encode("utf-8")) > SHAPEFILE_TEXT_BYTES:
                out.append(f"{merchant_id} 的{LABELS[key]}（{len(value.encode('utf-8'))} 字节）")
    return out


def write_gis(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write `frame` (a catalogue result) as the GIS file `path` names by its suffix, whole or not at all
    (a Shapefile's .shp, .shx, .dbf, .prj and .cpg together)."""
    import pyogrio

    driver, _kind = WRITE_DRIVERS[path.suffix.lower()]
    attrs = _attribute_frame(frame)
    options: dict[str, object] = {}
    if driver == "ESRI Shapefile":
        too_long = _too_long_for_shapefile(attrs)
        if too_long:
            more = f"等 {len(too_long)} 处" if len(too_long) > 3 else ""
            raise ValueError(f"Shapefile 每个文字字段最多 {SHAPEFILE_TEXT_BYTES} 字节，放不下"
                             f"{'、'.join(too_long[:3])}{more}：请导出为 GeoPackage（.gpkg），它没有这个限制")
        attrs = attrs.rename(columns=SHAPEFILE_NAMES)
        options["encoding"] = "UTF-8"   # writes the .cpg that tells QGIS and ArcGIS the text is UTF-8
    elif driver == "KML":
        # The placemark's title is the merchant's name and its balloon the offer (Google Earth, 奥维地图)
        options.update(layer="工会卡商户", dataset_options={"NameField": "name", "DescriptionField": "offer"})
    elif driver == "GPKG":
        # Version 1.2 is what the GDAL and QGIS releases still in offices (Debian 12's GDAL 3.6) read
        # without a warning
        options.update(layer="merchants", dataset_options={"VERSION": "1.2"})
    import shutil
    import tempfile

    # GDAL writes in a scratch folder first: its own error on a full disk names no cause, while
    # copying the finished files beside the target reports ENOSPC, EROFS or EACCES as they are.
    with tempfile.TemporaryDirectory(prefix="unioncard-export-") as scratch:
        try:
            pyogrio.write_dataframe(attrs, Path(scratch) / path.name, driver=driver, **options)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
            raise WriteFailed(errno.EIO, describe(OSError(errno.EIO, _gdal_message(exc)), path)) from exc
        with replacing_together(path) as folder:
            for made in Path(scratch).iterdir():
                shutil.copyfile(made, folder / made.name)


@dataclass
class Feature:
    """One feature as found in the file (the importer's raw record): where, values by key, and why its
    geometry gives no position, if it does not."""

    where: str
    values: dict[str, object]
    geometry_problem: str | None = None


class GisFileError(ValueError):
    """GDAL cannot read the file; the message is GDAL's reason, in a line."""


def layer_names(path: Path) -> list[str]:
    """The layers of a GeoPackage or Shapefile. GisFileError for a damaged file (GDAL's own notes on it
    are silenced: the caller says what is wrong, once)."""
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return [str(row[0]) for row in pyogrio.list_layers(path)]
        except Exception as exc:   # pyogrio raises its DataSourceError, or GDAL's own, for a damaged file
            raise GisFileError(_gdal_message(exc)) from None


def read_gis(name: str, path: Path, layer: str) -> tuple[list[Feature], list[Problem]]:
    """The features of one layer of a GeoPackage or Shapefile (see `layer_names`), in WGS84."""
    import pyogrio

    with warnings.catch_warnings():   # GDAL's notes on a damaged layer become the one problem below
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            frame = pyogrio.read_dataframe(path, layer=layer)
        except Exception as exc:
            return [], [Problem(name, None, f"无法读取图层“{layer}”：{_gdal_message(exc)}")]
    problems: list[Problem] = []
    if frame.crs is None:
        problems.append(Problem(name, None, "文件没有说明坐标系：按 WGS84 经纬度读取", "warning"))
    elif not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    mapping: dict[str, str] = {}
    unknown = []
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        key = column_key(column)
        if key is None or key in mapping.values():
            unknown.append(str(column))
        else:
            mapping[column] = key
    if unknown:
        problems.append(Problem(name, None, f"以下字段未识别，已忽略：{'、'.join(unknown)}", "warning"))
    records = []
    for n, (row, geometry) in enumerate(zip(frame[list(mapping)].itertuples(index=False), frame.geometry), start=1):
        values = {key: _plain(value) for key, value in zip(mapping.values(), row)}
        record = Feature(f"第{n}个要素", values)
        if geometry is not None and geometry.geom_type == "MultiPoint" and len(geometry.geoms) == 1:
            geometry = geometry.geoms[0]
        if geometry is None or geometry.is_empty:
            if values.get("lon") is None or values.get("lat") is None:
                record.geometry_problem = "缺少位置：要素没有几何，也没有经度/纬度字段"
        elif geometry.geom_type != "Point":
            record.geometry_problem = f"位置必须是点（Point），这里是“{geometry.geom_type}”"
        else:
            values["lon"], values["lat"] = float(geometry.x), float(geometry.y)
        records.append(record)
    return records, problems


def _plain(value: object) -> object:
    """A field value as the validator reads it: None for missing, Python scalars, dates as dates."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_pydatetime"):   # a pandas Timestamp from a Date/DateTime field
        return None if value != value else value.to_pydatetime()
    if hasattr(value, "item"):            # numpy scalars
        return value.item()
    return value


def _gdal_message(exc: Exception) -> str:
    """GDAL's reason in a line, without the file's path (the problem names the file already)."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    text = text.splitlines()[0].split("; It might help")[0]
    if "not recognized as being in a supported file format" in text:
        return "GDAL 无法识别它的格式（文件已损坏、不完整，或扩展名与内容不符）"
    return re.sub(r"^'[^']*'\s*", "", text)
