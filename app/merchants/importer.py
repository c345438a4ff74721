"""Reading merchant files (GeoJSON; CSV and text in UTF-8, UTF-16 or GBK; XLSX, XLS and ODS; GeoPackage
and Shapefile) and validating them into records.

Every problem names its record and field. Nothing here writes: the caller stores the records only
when the whole file is free of errors, so an import is all-or-nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.dates import FIRST_DAY, LAST_DAY
from app.geo.china_datum import DATUMS, Datum, to_wgs84
from app.geo.districts import DistrictIndex
from app.merchants.categories import CATEGORY_NAMES, resolve_category
from app.merchants.exporter import unsafe_cell
from app.merchants.fields import COLUMNS, LABELS, MerchantRecord, column_key
from app.merchants.import_writer import DuplicateMatch, write_records
from app.problems import Problem
from app.store import Store
from app.text_encoding import MixedEncoding, decode_text

GEOJSON_SUFFIXES = (".geojson", ".json")
CSV_SUFFIXES = (".csv", ".txt")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
GIS_SUFFIXES = (".gpkg", ".shp")
SUPPORTED_SUFFIXES = GEOJSON_SUFFIXES + CSV_SUFFIXES + SPREADSHEET_SUFFIXES + GIS_SUFFIXES
SUPPORTED_KINDS = "GeoJSON、CSV、Excel（.xlsx/.xls）、ODS、GeoPackage 或 Shapefile"
HEADER_SEARCH_ROWS = 20   # a title, a note and a blank line may stand above the header

_MAX_LEN = {"id": 64, "name": 200, "phone": 64, "address": 500, "offer": 2000}
# Characters no name, address or offer holds: C0/C1 controls (tab and line breaks aside), bidi
# overrides and isolates, lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MAX_IMPORT_BYTES = 200 * 1024 * 1024   # a city's spreadsheet is tens of MB; a link to /dev/zero is not read forever
_TRUE = {"1", "true", "yes", "y", "是", "近似", "t"}
_FALSE = {"0", "false", "no", "n", "否", "精确", "f"}


@dataclass
class RawRecord:
    """One row or feature as found in the file: values keyed by property (name, lon, ...)."""

    where: str                      # 第3行 / 第2个要素
    values: dict[str, object] = field(default_factory=dict)
    geometry_problem: str | None = None

    def label(self) -> str:
        ident = self.values.get("id") or None
        name = self.values.get("name") or None
        extra = f"编号 {_cell_text(ident)}" if ident else (f"名称 {_cell_text(name)}" if name else "")
        return f"{self.where}（{extra}）" if extra else self.where


@dataclass
class ParsedFile:
    records: list[MerchantRecord]
    problems: list[Problem]
    where: dict[str, str] = field(default_factory=dict)   # record id -> 第3行, for messages

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


# ---------------------------------------------------------------- reading


def read_file(path: Path, encoding: str | None = None, sheet: str | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """The records of a merchant file; `sheet` picks a workbook's sheet or a GeoPackage's layer (by
    name or 1-based number)."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return [], [Problem(name, None, f"不支持的文件类型“{suffix or '无扩展名'}”，请使用 {SUPPORTED_KINDS}")]
    if suffix in GIS_SUFFIXES:
        return _read_gis(name, path, sheet)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        return [], [Problem(name, None, f"无法读取文件：{exc.strerror or exc}")]
    if len(data) > MAX_IMPORT_BYTES:
        return [], [_too_big(name)]
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(name, path, data, suffix, sheet)
    try:
        text, _encoding = decode_text(data, encoding)
    except MixedEncoding as exc:
        return [], _mixed_encoding_problems(name, data, exc.offsets, suffix in GEOJSON_SUFFIXES)
    except (UnicodeDecodeError, UnicodeError) as exc:
        said = f"按 {encoding} 读取时" if encoding else "文件编码无法识别（既不是 UTF-8 也不是 GBK/GB18030），"
        at = f"第 {exc.start} 字节附近出错" if isinstance(exc, UnicodeDecodeError) else str(exc)
        return [], [Problem(name, None, f"{said}{at}")]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [], [Problem(f"第{line}行", None, "含有空字符（NUL）：这不是文本文件，或编码不对（UTF-16 文件请用 --encoding utf-16）")]
    if suffix in GEOJSON_SUFFIXES:
        return _read_geojson(name, text)
    return _read_csv(name, text)


def _mixed_encoding_problems(name: str, data: bytes, offsets: list[int], geojson: bool) -> list[Problem]:
    """Each undecodable cell of a mostly-UTF-8 file, by row, column and byte offset (the first ten)."""
    first_line = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = _delimiter(first_line)
    headers = next(csv.reader([first_line], delimiter=delimiter), [])
    cells: dict[tuple[int, str | None], int] = {}   # one problem a cell, at its first bad byte
    for offset in offsets:
        line_start = data.rfind(b"\n", 0, offset) + 1
        line = data.count(b"\n", 0, offset) + 1
        column = None
        if not geojson:
            before = data[line_start:offset].decode("utf-8", errors="replace")
            index = max(0, len(next(csv.reader([before], delimiter=delimiter), [])) - 1)
            column = headers[index] if index < len(headers) else f"第{index + 1}列"
        cells.setdefault((line, column), offset)
    problems = [Problem(f"第{line}行", column, f"第 {offset} 字节起的内容不是 UTF-8（可能混入了 GBK 编码的文字）："
                        "请把整个文件另存为 UTF-8，或用 --encoding 指定文件的编码")
                for (line, column), offset in list(cells.items())[:10]]
    if len(cells) > 10:
        problems.append(Problem(name, None, f"另有 {len(cells) - 10} 处同样的问题"))
    return problems


def _delimiter(header_line: str) -> str:
    """The delimiter of a CSV, from its header line: a comma unless tabs or semicolons clearly outnumber
    commas there. The quote character is always the standard double quote (a guessed one truncates
    offers that hold an apostrophe)."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _header_map(name: str, headers: list[object]) -> tuple[dict[int, str], list[Problem]]:
    mapping: dict[int, str] = {}
    problems: list[Problem] = []
    seen: dict[str, object] = {}
    unknown = []
    for i, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        key = column_key(header)
        if key is None:
            unknown.append(str(header).strip())
        elif key in seen:
            problems.append(Problem(name, LABELS[key], f"列“{header}”与列“{seen[key]}”重复，都表示{LABELS[key]}"))
        else:
            seen[key] = header
            mapping[i] = key
    if unknown:
        known = "、".join(c.label for c in COLUMNS)
        problems.append(Problem(name, None, f"以下列未识别，已忽略：{'、'.join(unknown)}（可用列：{known}）", "warning"))
    for required in ("name", "category"):
        if required not in seen:
            problems.append(Problem(name, LABELS[required], f"缺少必需的列“{LABELS[required]}”"))
    if not ({"lon", "lat"} <= set(seen)):
        problems.append(Problem(name, "经度/纬度", "缺少必需的列“经度”和“纬度”"))
    return mapping, problems


def _read_csv(name: str, text: str) -> tuple[list[RawRecord], list[Problem]]:
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first), quotechar='"', strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:   # an unclosed quote (it would swallow the rows after it), a field beyond csv's limit
        start = lines[-1] + 1 if lines else 1
        return [], [Problem(f"第{start}行", None, f"无法读取（{exc}）：通常是引号没有配对，从这一行起的内容会被并进一个格子；"
                            "文件未导入")]
    if rows:
        at = _header_at(rows)
        width = len(rows[at.row])
        wrong = [(line, len(row)) for row, line in zip(rows[at.data:], lines[at.data:])
                 if len(row) > width and any(cell.strip() for cell in row[width:])]
        if wrong:
            # A field with a comma and no quotes around it: every column after it would shift silently.
            # (Fewer columns are trailing cells left empty, as hand-made files have them.)
            return [], [Problem(f"第{line}行", None, f"有 {n} 列，表头有 {width} 列：可能是引号没有配对，"
                                "或含逗号的内容没有加双引号；文件未导入") for line, n in wrong[:10]]
    return _table_records(name, rows, "文件是空的")


@dataclass(frozen=True)
class _HeaderAt:
    row: int                 # index of the header row (the upper one of a two-row header)
    data: int                # index of the first data row
    cells: tuple             # the header, flattened: 坐标 over 经度/纬度 gives 经度, 纬度


def _known(cells) -> set[int]:
    return {i for i, cell in enumerate(cells) if column_key(cell) is not None}


def _header_at(rows: list) -> _HeaderAt:
    """Where the header is in a table as offices make them: below a title row (merged across the
    sheet) or a note, and possibly two rows high with merged cells (坐标 over 经度 and 纬度, 名称 spanning
    both rows). The header is the row, among the first few, that names the most known columns."""
    search = rows[:HEADER_SEARCH_ROWS]
    counts = [len({column_key(c) for c in row} - {None}) for row in search]
    if not counts or max(counts) == 0:
        return _HeaderAt(0, 1, tuple(rows[0]) if rows else ())
    at = counts.index(max(counts))
    cells = list(rows[at])
    data = at + 1
    for other in (at + 1, at - 1):   # the second row of a two-row header, below or above
        if not 0 <= other < len(rows):
            continue
        known, mine = _known(rows[other]), _known(cells)
        filled = [c for c in rows[other] if c is not None and str(c).strip()]
        if known and not known & mine and len(known) * 2 >= len(filled):
            cells += [None] * (len(rows[other]) - len(cells))
            for i in known:
                cells[i] = rows[other][i]
            data = max(data, other + 1)
            break
    return _HeaderAt(at, data, tuple(cells))


def _table_records(name: str, rows: list, empty_message: str) -> tuple[list[RawRecord], list[Problem]]:
    """Records of a spreadsheet-like table (CSV and workbooks alike), its header found by `_header_at`."""
    if not rows:
        return [], [Problem(name, None, empty_message)]
    at = _header_at(rows)
    mapping, problems = _header_map(name, list(at.cells))
    records = []
    for index in range(at.data, len(rows)):
        row = rows[index]
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        values = {key: row[i] for i, key in mapping.items() if i < len(row)}
        records.append(RawRecord(f"第{index + 1}行", values))   # row numbers as the spreadsheet shows them
    return records, problems


XLSX_PART_AT_MOST = 256 * 1024 * 1024   # what one part of the zip may expand to
XLSX_RATIO_AT_MOST = 200                # and by how much: a sheet of text compresses 10–30 times


def _zip_bomb(data: bytes) -> str | None:
    """Why an XLSX would expand beyond reason (one cell of 300 MB), from the sizes the zip declares,
    before anything is expanded; None when it is sound."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > XLSX_PART_AT_MOST or (info.file_size > 10 * 1024 * 1024 and ratio > XLSX_RATIO_AT_MOST):
                    return f"其中的 {info.filename} 解压后有 {info.file_size // 1024 // 1024} MB（压缩了 {ratio:.0f} 倍）"
    except zipfile.BadZipFile:
        return None   # the reader says what is wrong with it
    return None


def _read_spreadsheet(name: str, path: Path, data: bytes, suffix: str,
                      sheet: str | None) -> tuple[list[RawRecord], list[Problem]]:
    """An Excel (.xlsx, .xls) or OpenDocument (.ods) workbook, through calamine. Without `sheet`, the
    one sheet that holds a merchant table (a notes sheet before it is passed over)."""
    from python_calamine import CalamineWorkbook

    kind = {".ods": "ODS", ".xls": "XLS"}.get(suffix, "XLSX")
    if suffix != ".xls" and (why := _zip_bomb(data)) is not None:
        return [], [Problem(name, None, f"这个 {kind} 文件解压后大得不合常理，未读取：{why}")]
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        tables = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}
    except Exception as exc:  # calamine raises its own error types for a damaged or protected file
        tables = _ods_through_gdal(path) if suffix == ".ods" else None
        if tables is None:
            return [], [Problem(name, None, f"不是有效的 {kind} 文件：{str(exc).strip() or type(exc).__name__}")]
        names = list(tables)
    listed = _listed(names)
    if sheet is not None:
        chosen = _by_name_or_number(names, sheet)
        if chosen is None:
            return [], [Problem(name, None, f"没有工作表“{sheet}”：文件里有 {listed}")]
    else:
        with_header = [n for n in names if _looks_like_merchants(tables[n])]
        if len(with_header) > 1:
            return [], [Problem(name, None, f"有 {len(with_header)} 个工作表像商户表（{'、'.join(with_header)}），"
                                f"请用 --sheet 指定一个：{listed}")]
        chosen = with_header[0] if with_header else (names[0] if names else None)
        if chosen is None:
            return [], [Problem(name, None, "工作簿里没有工作表")]
    records, problems = _table_records(name, tables[chosen], "工作表是空的")
    if sheet is None and len(names) > 1:
        problems.insert(0, Problem(name, None, f"读取的是工作表“{chosen}”（共 {len(names)} 个：{listed}）", "warning"))
    return records, problems


def _listed(names: list[str]) -> str:
    """Sheets or layers as staff choose among them with --sheet: 1. 说明、2. 合作商户."""
    return "、".join(f"{i}. {n}" for i, n in enumerate(names, start=1))


def _by_name_or_number(names: list[str], wanted: str) -> str | None:
    """The sheet or layer `wanted` names, by name or 1-based number; None if none."""
    if wanted in names:
        return wanted
    return names[int(wanted) - 1] if wanted.isdigit() and 1 <= int(wanted) <= len(names) else None


def _ods_through_gdal(path: Path) -> dict[str, list[list]] | None:
    """The sheets of an ODS file calamine cannot read (GDAL and QGIS write their XML indented, which
    calamine refuses), as rows of text read by GDAL's own ODS driver; None if GDAL cannot read it either."""
    import pyogrio

    try:
        tables = {}
        for layer, _kind in pyogrio.list_layers(path):
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False, HEADERS="DISABLE",
                                           FIELD_TYPES="STRING")
            tables[str(layer)] = [[None if v != v else v for v in row] for row in frame.itertuples(index=False)]
        return tables
    except Exception:
        return None


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook or the layers of a GeoPackage, for staff to choose from (empty for
    other files, or one that cannot be read: reading it then says why)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in SPREADSHEET_SUFFIXES:
            from python_calamine import CalamineWorkbook

            try:
                return list(CalamineWorkbook.from_path(str(path)).sheet_names)
            except Exception:
                if suffix != ".ods":
                    raise
                return list(_ods_through_gdal(path) or {})
        if suffix == ".gpkg":
            from app.merchants.gis_files import layer_names

            return layer_names(path)
    except Exception:   # a damaged file: the preview reports it with the reader's own words
        return []
    return []


def _looks_like_merchants(rows: list) -> bool:
    return any(column_key(c) == "name" for c in _header_at(rows).cells) if rows else False


def _too_big(name: str) -> Problem:
    return Problem(name, None, f"文件超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB 的上限：请分成几个文件导入")


def _read_gis(name: str, path: Path, layer: str | None) -> tuple[list[RawRecord], list[Problem]]:
    """A GeoPackage or Shapefile; `layer` picks one of a GeoPackage's layers (name or 1-based number)."""
    from app.merchants.gis_files import GisFileError, layer_names, read_gis

    try:
        parts = [path] + ([path.with_suffix(".dbf")] if path.suffix.lower() == ".shp" else [])
        size = sum(p.stat().st_size for p in parts if p.exists())
    except OSError as exc:
        return [], [Problem(name, None, f"无法读取文件：{exc.strerror or exc}")]
    if not path.exists():
        return [], [Problem(name, None, "文件不存在")]
    if size > MAX_IMPORT_BYTES:
        return [], [_too_big(name)]
    kind = "GeoPackage" if path.suffix.lower() == ".gpkg" else "Shapefile"
    try:
        layers = layer_names(path)
    except GisFileError as exc:
        return [], [Problem(name, None, f"不是有效的 {kind} 文件：{exc}")]
    if not layers:
        return [], [Problem(name, None, "文件里没有图层")]
    if layer is None:
        if len(layers) > 1:
            return [], [Problem(name, None, f"文件有 {len(layers)} 个图层，请用 --sheet 指定一个：{_listed(layers)}")]
        chosen = layers[0]
    else:
        chosen = _by_name_or_number(layers, layer)
        if chosen is None:
            return [], [Problem(name, None, f"没有图层“{layer}”：文件里有 {_listed(layers)}")]
    features, problems = read_gis(name, path, chosen)
    return [RawRecord(f.where, f.values, f.geometry_problem) for f in features], problems


def _read_geojson(name: str, text: str) -> tuple[list[RawRecord], list[Problem]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(name, None, f"不是有效的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}")]
    except RecursionError:
        return [], [Problem(name, None, "JSON 嵌套过深：这不是商户的 GeoJSON 文件")]
    except ValueError as exc:   # a number of thousands of digits
        return [], [Problem(name, None, f"不是有效的 JSON：{exc}")]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        return [], [Problem(name, None, "GeoJSON 顶层必须是 FeatureCollection（含 features 数组）")]
    records = []
    problems: list[Problem] = []
    unknown: set[str] = set()
    for n, feature in enumerate(doc["features"], start=1):
        where = f"第{n}个要素"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(where, None, "不是 GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(Problem(where, None, "properties 必须是对象"))
            continue
        values: dict[str, object] = {}
        for k, v in props.items():
            key = column_key(k)
            if key is None:
                unknown.add(str(k))
            else:
                values[key] = v
        if "id" not in values and feature.get("id") is not None:
            values["id"] = feature["id"]
        record = RawRecord(where, values)
        geometry = feature.get("geometry")
        if geometry is None:
            if values.get("lon") in (None, "") or values.get("lat") in (None, ""):
                record.geometry_problem = "缺少位置：geometry 为空，也没有经度/纬度属性"
        elif not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            record.geometry_problem = f"位置必须是点（Point），这里是“{kind}”"
        else:
            coords = geometry.get("coordinates")
            if (
                not isinstance(coords, list)
                or len(coords) < 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])
            ):
                record.geometry_problem = f"点坐标格式错误：{json.dumps(coords, ensure_ascii=False)}，应为 [经度, 纬度]"
            else:
                values["lon"], values["lat"] = coords[0], coords[1]
        records.append(record)
    unknown -= {"location_note"}
    if unknown:
        problems.append(Problem(name, None, f"以下属性未识别，已忽略：{'、'.join(sorted(unknown))}", "warning"))
    return records, problems


# ---------------------------------------------------------------- validating


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():  # Excel stores codes and phone numbers as numbers
            return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = unsafe_cell(str(value).strip())
    return text or None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _cell_text(value)
        if text is None:
            return None
        number = float(text.replace("°", "").replace("，", ".").strip())
    if not math.isfinite(number):
        raise ValueError
    return number


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", re.ASCII)


def _date(value: object) -> dt.date | None:
    """A date cell (a spreadsheet date, 2026-01-31, 2026/1/31, 2026年1月31日) within 1900–2199."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = _cell_text(value)
        if text is None:
            return None
        m = _DATE_RE.match(text.split("T")[0])
        if not m:
            raise ValueError
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError
    return day


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _cell_text(value)
    if text is None:
        return False
    if text.casefold() in _TRUE:
        return True
    if text.casefold() in _FALSE:
        return False
    raise ValueError


def generated_id(name: str, lon: float, lat: float) -> str:
    """A stable id for a merchant that came without one: same name and place, same id."""
    digest = hashlib.sha1(f"{name}|{lon:.5f}|{lat:.5f}".encode()).hexdigest()
    return f"m-{digest[:10]}"


def validate(raw: list[RawRecord], districts: DistrictIndex, datum: Datum = "wgs84",
             progress: Callable[[int, int], None] | None = None) -> ParsedFile:
    """The records of a file read by `read_file`, checked. `progress(done, total)` is called every
    thousand records (a window's progress bar; it may raise to stop the check)."""
    if datum not in DATUMS:
        raise ValueError(f"unknown datum {datum!r}")
    records: list[MerchantRecord] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    positions = [_position(rec, datum, districts) for rec in raw]
    # One spatial join for the whole file, not one per record.
    placed = [i for i, (lon, _, _) in enumerate(positions) if lon is not None]
    codes = districts.locate([positions[i][0] for i in placed], [positions[i][1] for i in placed])
    located_codes: dict[int, str | None] = dict(zip(placed, codes))
    located_codes.update({i: None for i in range(len(raw)) if i not in located_codes})
    for i, rec in enumerate(raw):
        if progress is not None and i % 1000 == 0:
            progress(i, len(raw))
        where = rec.label()
        v = rec.values
        errs: list[Problem] = []

        def err(key_or_label: str, message: str, severity: str = "error", where=where, errs=errs) -> None:
            label = LABELS.get(key_or_label, key_or_label)
            (errs if severity == "error" else problems).append(Problem(where, label, message, severity))  # type: ignore[arg-type]

        name = _cell_text(v.get("name"))
        if not name:
            err("name", "名称不能为空")
        category = resolve_category(_cell_text(v.get("category")))
        if category is None:
            given = _cell_text(v.get("category"))
            err("category", (f"未知类别“{given}”" if given else "类别不能为空") + f"，应为：{'、'.join(CATEGORY_NAMES)}")

        lon, lat, position_errors = positions[i]
        errs.extend(position_errors)

        district_code = None
        given_district = _cell_text(v.get("district"))
        located = located_codes[i]
        if given_district:
            district_code = districts.resolve(given_district)
            if district_code is None:
                err("district", f"未知的区“{given_district}”，应为武汉市13个区之一，如 青山区")
            elif located and located != district_code:
                err(
                    "district",
                    f"填写的是{districts.name(district_code)}，但坐标位于{districts.name(located)}；已按填写的区保存，请核对",
                    "warning",
                )
        else:
            district_code = located

        mcc = _cell_text(v.get("mcc"))
        if mcc is not None:
            mcc = unicodedata.normalize("NFKC", mcc)   # ６５１３ is 6513 (it decides the points earned)
            if not re.fullmatch(r"[0-9]{4}", mcc):
                err("mcc", f"商户类别码应为4位数字（银联 MCC），这里是“{mcc}”")

        dates = {}
        for key in ("valid_from", "valid_to"):
            try:
                dates[key] = _date(v.get(key))
            except (TypeError, ValueError):
                err(key, f"日期无法识别：“{_cell_text(v.get(key))}”，请写成 2026-01-31")
        if dates.get("valid_from") and dates.get("valid_to") and dates["valid_to"] < dates["valid_from"]:
            err("valid_to", f"有效期止（{dates['valid_to']}）早于有效期起（{dates['valid_from']}）")

        flags = {}
        for key in ("location_approximate", "mcc_assumed"):
            try:
                flags[key] = _bool(v.get(key))
            except ValueError:
                flags[key] = False
                err(key, f"应填“是”或“否”，这里是“{_cell_text(v.get(key))}”")

        texts = {k: _cell_text(v.get(k)) for k in ("id", "address", "phone", "source")}
        offer = _cell_text(v.get("offer")) or ""
        for key, limit in _MAX_LEN.items():
            value = name if key == "name" else offer if key == "offer" else texts.get(key)
            if value and len(value) > limit:
                err(key, f"太长（{len(value)} 个字符，最多 {limit} 个）")
        for key, value in (("name", name), ("offer", offer), *texts.items()):
            if value and (bad := _CONTROL.search(value)):
                # ESC sequences rewrite a terminal, bidi overrides reorder a flyer, NUL and lone surrogates
                # break the database: text that came from somewhere it should not have.
                err(key, f"含有控制字符 U+{ord(bad.group()):04X}（第 {bad.start() + 1} 个字符），可能来自复制粘贴；请删去后再导入")

        if errs:
            problems.extend(errs)
            continue
        assert name and category and lon is not None and lat is not None
        merchant_id = texts["id"] or generated_id(name, lon, lat)
        if merchant_id in first_seen:
            same = "编号相同" if texts["id"] else "名称和位置都相同"
            problems.append(Problem(where, LABELS["id"], f"与{first_seen[merchant_id]}重复（{same}）"))
            continue
        first_seen[merchant_id] = rec.where
        records.append(
            MerchantRecord(
                id=merchant_id,
                name=name,
                category=category.name,
                district_code=district_code,
                lon=lon,
                lat=lat,
                mcc=mcc,
                offer=offer,
                address=texts["address"],
                phone=texts["phone"],
                valid_from=dates.get("valid_from"),
                valid_to=dates.get("valid_to"),
                location_approximate=flags["location_approximate"],
                mcc_assumed=flags["mcc_assumed"],
                source=texts["source"],
            )
        )
    return ParsedFile(records, problems, dict(first_seen))


def _position(rec: RawRecord, datum: Datum, districts: DistrictIndex) -> tuple[float | None, float | None, list[Problem]]:
    """WGS84 position of a record, or (None, None, [the problems saying why not])."""
    where = rec.label()
    if rec.geometry_problem:
        return None, None, [Problem(where, "位置", rec.geometry_problem)]
    v = rec.values
    try:
        raw_lon, raw_lat = _number(v.get("lon")), _number(v.get("lat"))
    except (TypeError, ValueError):
        message = f"经纬度不是数字：经度“{_cell_text(v.get('lon'))}”，纬度“{_cell_text(v.get('lat'))}”"
        return None, None, [Problem(where, "经度/纬度", message)]
    if raw_lon is None or raw_lat is None:
        return None, None, [Problem(where, "经度/纬度", "缺少经度或纬度")]
    problems: list[Problem] = []
    lon, lat = _locate(raw_lon, raw_lat, datum, districts, lambda f, m: problems.append(Problem(where, f, m)))
    return lon, lat, problems


def _locate(raw_lon: float, raw_lat: float, datum: Datum, districts: DistrictIndex, err) -> tuple[float | None, float | None]:
    """WGS84 position of a published coordinate pair, or (None, None) after reporting why not."""
    in_range = -180 <= raw_lon <= 180 and -90 <= raw_lat <= 90
    if in_range:
        lon, lat = (float(x) for x in to_wgs84(raw_lon, raw_lat, datum))
        if districts.contains_city(lon, lat):
            return round(lon, 7), round(lat, 7)
    if -180 <= raw_lat <= 180 and -90 <= raw_lon <= 90:
        slon, slat = (float(x) for x in to_wgs84(raw_lat, raw_lon, datum))
        if districts.contains_city(slon, slat):
            err("经度/纬度", f"经度和纬度似乎填反了：经度 {raw_lon}、纬度 {raw_lat}，对调后才在武汉市内")
            return None, None
    if not in_range:
        err("经度/纬度", f"不是有效的经纬度：经度 {raw_lon}、纬度 {raw_lat}（经度 -180~180，纬度 -90~90）")
    else:
        err("经度/纬度", f"坐标（{raw_lon}, {raw_lat}）不在武汉市范围内（坐标系 {datum}）")
    return None, None


def parse_file(path: Path, districts: DistrictIndex, datum: Datum = "wgs84", encoding: str | None = None,
               sheet: str | None = None) -> ParsedFile:
    return check_read(path, read_file(path, encoding, sheet), districts, datum)


def check_read(path: Path, read: tuple[list[RawRecord], list[Problem]], districts: DistrictIndex,
               datum: Datum = "wgs84", progress: Callable[[int, int], None] | None = None) -> ParsedFile:
    """What `read_file` found, validated: a window reads a file once and checks it again for another
    coordinate system without reading it again."""
    raw, problems = read
    parsed = validate(raw, districts, datum, progress)
    problems = list(problems)
    if not raw and not problems:
        problems.append(Problem(Path(path).name, None, "文件中没有商户记录"))
    return ParsedFile(parsed.records, problems + parsed.problems, parsed.where)


DUPLICATE_CHOICES = ("ask", "skip", "update", "keep")


@dataclass(frozen=True)
class ImportReport:
    path: str
    added: int
    updated: int
    unchanged: int
    problems: tuple[Problem, ...]
    written: bool
    added_ids: tuple[str, ...] = ()
    updated_ids: tuple[str, ...] = ()
    skipped_ids: tuple[str, ...] = ()
    duplicates: tuple[DuplicateMatch, ...] = ()
    # Active merchants of the same source that the file no longer lists: staff review and may retire them.
    missing: tuple[tuple[str, str], ...] = ()
    change_set_id: int | None = None
    dry_run: bool = False

    @property
    def needs_duplicate_choice(self) -> bool:
        return not self.written and not self.dry_run and bool(self.duplicates) and \
            not any(p.severity == "error" for p in self.problems)

    def to_json(self) -> dict:
        return {
            "file": self.path,
            "written": self.written,
            "dry_run": self.dry_run,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "added_ids": list(self.added_ids),
            "updated_ids": list(self.updated_ids),
            "skipped_ids": list(self.skipped_ids),
            "duplicates": [d.to_json() for d in self.duplicates],
            "missing": [{"id": i, "name": n} for i, n in self.missing],
            "change_set_id": self.change_set_id,
            "problems": [p.to_json() for p in self.problems],
        }


def import_into_store(store: Store, districts: DistrictIndex, path: Path, datum: Datum = "wgs84", *,
                      author: str = "system", duplicates: str | dict[str, str] = "ask",
                      dry_run: bool = False, encoding: str | None = None, sheet: str | None = None,
                      parsed: ParsedFile | None = None) -> ImportReport:
    """Validate the whole file, then write it as one change set in one transaction, or write nothing.

    `duplicates` says what to do with a new merchant that may already be in the catalogue: "ask"
    writes nothing and lists them; "skip" leaves them out; "update" applies the row to the existing
    merchant; "keep" adds both; or a dict of those per new merchant id. `dry_run` reports what would
    happen and writes nothing. `parsed` is the file already checked (by `check_read`), not read again."""
    chosen = [duplicates] if isinstance(duplicates, str) else list(duplicates.values())
    if any(c not in DUPLICATE_CHOICES for c in chosen):
        raise ValueError(f"unknown duplicates choice {duplicates!r}")
    if parsed is None:
        parsed = parse_file(path, districts, datum, encoding, sheet)
    if not parsed.ok:
        return ImportReport(str(path), 0, 0, 0, tuple(parsed.problems), written=False, dry_run=dry_run)
    result = write_records(store, parsed.records, author=author, file_name=Path(path).name, duplicates=duplicates,
                           dry_run=dry_run, where=parsed.where)
    return ImportReport(str(path), problems=tuple(parsed.problems), **result)


def validate_one(values: dict[str, object], districts: DistrictIndex, where: str) -> tuple[MerchantRecord | None, list[Problem]]:
    """One merchant typed by staff (a form, the command line), read exactly as an import reads a row."""
    parsed = validate([RawRecord(where, dict(values))], districts)
    return (parsed.records[0] if parsed.records else None), parsed.problems


def state_values(state: dict[str, object], merchant_id: str) -> dict[str, object]:
    """A stored merchant's fields as the values `validate_one` reads back unchanged."""
    values: dict[str, object] = {k: state.get(k) for k in ("name", "category", "mcc", "offer", "address", "phone",
                                                            "lon", "lat", "valid_from", "valid_to", "source")}
    values.update(id=merchant_id, district=state.get("district_code"),
                  location_approximate=bool(state.get("location_approximate")),
                  mcc_assumed=bool(state.get("mcc_assumed")))
    return values
