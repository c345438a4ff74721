"""The checks staff see before a save and in the 问题 pane: errors block a save, warnings do not."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from app.discounts.offer_parser import parse_offer
from app.geo.districts import DistrictIndex
from app.merchants.categories import CATEGORY_NAMES
from app.merchants.fields import FIELD_LABELS
from app.problems import Problem

EXPIRING_DAYS = 30
_PHONE_PART = re.compile(
    r"(?:\+?86[- ]?)?(?:1[3-9]\d{9}"                         # mobile
    r"|0\d{2,3}[- ]?\d{7,8}(?:[- ]?转?\d{1,5})?"              # 027-8xxxxxxx, with an extension
    r"|\d{7,8}"                                               # local number
    r"|400[- ]?\d{3}[- ]?\d{4}"                               # 400 service numbers
    r"|9\d{4}|12\d{3})"                                       # 95588, 96558, 12351
)


def phone_is_valid(phone: str) -> bool:
    """Chinese telephone numbers as merchants print them, several separated by / 、 ， or ；."""
    parts = [p.strip() for p in re.split(r"[/、，,；;]| 或 ", phone) if p.strip()]
    cleaned = [re.sub(r"[()（）]", "", p).replace("－", "-").strip() for p in parts]
    return bool(cleaned) and all(_PHONE_PART.fullmatch(p) for p in cleaned)


def merchant_label(state: Mapping[str, object], merchant_id: str | None) -> str:
    name = state.get("name") or "（未命名）"
    return f"{name}（{merchant_id}）" if merchant_id else str(name)


def check_merchant(state: Mapping[str, object], districts: DistrictIndex, *, merchant_id: str | None = None,
                   today: dt.date | None = None, nearby: tuple[str, ...] = (),
                   unparsed: tuple[str, ...] | None = None) -> list[Problem]:
    """Problems of one merchant's fields; `nearby` names possible duplicates found around it;
    `unparsed` saves parsing the offer again when the stored rules already say what was not understood."""
    today = today or dt.date.today()
    where = merchant_label(state, merchant_id)
    out: list[Problem] = []

    def problem(field: str | None, message: str, severity: str = "error") -> None:
        out.append(Problem(where, FIELD_LABELS.get(field, field) if field else None, message, severity))  # type: ignore[arg-type]

    if not (state.get("name") or "").strip():
        problem("name", "名称不能为空")
    if state.get("category") not in CATEGORY_NAMES:
        given = state.get("category")
        problem("category", (f"未知类别“{given}”" if given else "类别不能为空") + f"，应为：{'、'.join(CATEGORY_NAMES)}")
    lon, lat = state.get("lon"), state.get("lat")
    located = None
    if not isinstance(lon, (int, float)) or not isinstance(lat, (int, float)):
        problem("lon", "缺少位置（经度/纬度）")
    elif not districts.contains_city(float(lon), float(lat)):
        problem("lon", f"位置（{lon:.6f}, {lat:.6f}）不在武汉市范围内")
    else:
        located = districts.locate([float(lon)], [float(lat)])[0]
    stated = state.get("district_code")
    if stated and located and stated != located:
        problem("district_code", f"填写的是{districts.name(stated)}，但位置在{districts.name(located)}")
    mcc = state.get("mcc")
    if mcc and not re.fullmatch(r"[0-9]{4}", str(mcc)):
        problem("mcc", f"商户类别码应为4位数字（银联 MCC），这里是“{mcc}”")
    start, end = state.get("valid_from"), state.get("valid_to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        problem("valid_to", f"有效期止（{end}）早于有效期起（{start}）")

    offer = state.get("offer") or ""
    if offer:
        if unparsed is None:
            unparsed = parse_offer(str(offer)).unparsed
        if unparsed:
            problem("offer", f"以下文字未能解析为优惠规则：{'；'.join(unparsed)}", "warning")
    if isinstance(end, dt.date) and not state.get("retired_on"):
        if end < today:
            problem("valid_to", f"优惠已于 {end} 过期", "warning")
        elif end <= today + dt.timedelta(days=EXPIRING_DAYS):
            problem("valid_to", f"优惠将于 {end} 到期（{(end - today).days} 天后）", "warning")
    for other in nearby:
        problem(None, f"附近可能有重复的商户：{other}", "warning")
    phone = state.get("phone")
    if phone and not phone_is_valid(str(phone)):
        problem("phone", f"电话号码格式不对：“{phone}”", "warning")
    if state.get("location_approximate") and not state.get("retired_on"):
        # members are shown a 大致位置 and 约 distances until someone places it: staff's to-do
        problem("location_approximate", "位置待核实：地图上是大致位置，请按实际地址重新定位", "warning")
    return out


def new_errors(problems: list[Problem], already: list[Problem]) -> list[Problem]:
    """The errors in `problems` the merchant did not already have: only those block a save, so an old
    flaw (an import's district mismatch) does not stop staff from correcting something else."""
    known = {(p.field, p.message) for p in already}
    return [p for p in problems if p.severity == "error" and (p.field, p.message) not in known]


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
