"""One partner merchant as plain data, and the columns it travels in (English keys, staff's Chinese labels)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class MerchantRecord:
    id: str
    name: str
    category: str                 # canonical name, one of categories.CATEGORY_NAMES
    district_code: str | None
    lon: float                    # WGS84
    lat: float
    mcc: str | None = None
    mcc_assumed: bool = False     # the code was assumed, not given by the source: it decides points earned
    offer: str = ""
    address: str | None = None
    phone: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    location_approximate: bool = False
    source: str | None = None


@dataclass(frozen=True)
class Column:
    key: str        # GeoJSON property / CSV header in English
    label: str      # the header Chinese staff spreadsheets use
    aliases: tuple[str, ...] = ()


# The order is the order of exported CSV/XLSX columns.
COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("商户编号", "ID")),
    Column("name", "名称", ("商户名称", "商户", "店名")),
    Column("category", "类别", ("分类", "行业")),
    Column("district", "区", ("所在区", "行政区", "区县")),
    Column("mcc", "商户类别码", ("MCC", "MCC码")),
    Column("mcc_assumed", "类别码为假定", ("商户类别码为假定", "MCC为假定")),
    Column("offer", "优惠", ("优惠活动", "优惠内容", "折扣")),
    Column("address", "地址", ("详细地址",)),
    Column("phone", "电话", ("联系电话", "电话号码")),
    Column("lon", "经度", ("lng", "longitude", "x")),
    Column("lat", "纬度", ("latitude", "y")),
    Column("valid_from", "有效期起", ("开始日期", "起始日期")),
    Column("valid_to", "有效期止", ("结束日期", "截止日期")),
    Column("location_approximate", "位置为近似", ("近似位置",)),
    Column("source", "来源", ()),
)

LABELS: dict[str, str] = {c.key: c.label for c in COLUMNS}
# A Shapefile's dBase fields have names of at most ten letters: the keys that are longer, shortened.
SHAPEFILE_NAMES: dict[str, str] = {"mcc_assumed": "mcc_assumd", "location_approximate": "loc_approx"}

_HEADER_LOOKUP: dict[str, str] = {}
for _col in COLUMNS:
    for _h in (_col.key, _col.label, *_col.aliases, *filter(None, [SHAPEFILE_NAMES.get(_col.key)])):
        _HEADER_LOOKUP[_h.strip().casefold()] = _col.key


def column_key(header: object) -> str | None:
    """The property a spreadsheet header means (名称, name, 商户名称 -> name), or None."""
    if header is None:
        return None
    return _HEADER_LOOKUP.get(str(header).strip().lstrip("\ufeff").casefold())


# What a revision records: every field of the record but its id, plus the retirement (下架) fields.
TRACKED_FIELDS: tuple[str, ...] = (
    "name", "category", "district_code", "lon", "lat", "mcc", "mcc_assumed", "offer", "address", "phone",
    "valid_from", "valid_to", "location_approximate", "source", "retired_on", "retired_reason",
)
DATE_FIELDS = frozenset({"valid_from", "valid_to", "retired_on"})
FLAG_FIELDS = frozenset({"location_approximate", "mcc_assumed"})   # yes/no; absent in older records means no
# The labels staff see in history, conflicts and problems.
FIELD_LABELS: dict[str, str] = {
    **LABELS, "district_code": "区", "retired_on": "下架日期", "retired_reason": "下架原因",
}


def json_value(value):
    """A cell of a catalogue frame as plain JSON-able Python: None for NaN, ISO text for dates."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def encode_value(field: str, value: object) -> object:
    """A field value as JSON keeps it in a revision (dates as ISO text)."""
    if field in DATE_FIELDS and isinstance(value, dt.date):
        return value.isoformat()
    return value


def decode_value(field: str, value: object) -> object:
    if field in DATE_FIELDS and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if field in FLAG_FIELDS:
        return bool(value)
    return value


def record_state(record: MerchantRecord) -> dict[str, object]:
    """A new record's tracked fields (not retired)."""
    state = {f: getattr(record, f) for f in TRACKED_FIELDS if hasattr(record, f)}
    state.update(retired_on=None, retired_reason=None)
    return state


def display_value(field: str, value: object, district_name=None) -> str:
    """A field value as staff read it in history, conflicts and the change log."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field == "district_code" and district_name is not None:
        return district_name(value) or str(value)
    return str(encode_value(field, value))
