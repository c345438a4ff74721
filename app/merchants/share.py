"""A merchant as a member passes it on: a short text card for a chat (with a 高德 link to navigate), and a
QR code that opens the place in 高德 on a phone."""

from __future__ import annotations

import datetime as dt

from app.card_service import UNION
from app.discounts.rules_text import headline_phrase
from app.geo.map_links import amap_url

APPROXIMATE = "位置为大致位置，以商户实际地址为准"


def _text(value) -> str:
    """A cell as text: None and NaN (a missing value in a catalogue frame) are empty."""
    return "" if value is None or value != value else str(value).strip()


def share_link(row, named: bool = True) -> str | None:
    """The place in 高德 (a marker to navigate to, in GCJ-02): what the QR code holds, so a phone's camera
    opens the map; None without a position. An approximate position says so in the marker's name;
    unnamed, the link is short enough to read in the text card."""
    lon, lat = row.get("lon"), row.get("lat")
    if lon is None or lat is None or lon != lon or lat != lat:
        return None
    name = str(row["name"]) + ("（大致位置）" if row.get("location_approximate") else "") if named else None
    return amap_url(float(lon), float(lat), name)


def share_text(row) -> str:
    """Name, best saving and offer, where (address, or the approximate-location note), phone, validity,
    and how to use the card; plain text, one fact a line."""
    lines = [f"【工会卡优惠】{row['name']}"]
    headline = headline_phrase(row.get("offer_headline"))
    lines.append(" · ".join(t for t in (_text(row.get("category")), _text(row.get("district")), headline) if t))
    if _text(row.get("offer")):
        lines.append(f"优惠：{_text(row['offer'])}")
    if _text(row.get("address")):
        lines.append(f"地址：{_text(row['address'])}")
    elif row.get("location_approximate"):
        lines.append(APPROXIMATE)
    if _text(row.get("phone")):
        lines.append(f"电话：{_text(row['phone'])}")
    if (link := share_link(row, named=False)) is not None:
        lines.append(f"高德导航：{link}")
    ends = row.get("valid_to")
    if isinstance(ends, dt.date):
        lines.append(f"有效期至：{ends.isoformat()}")
    lines.append(f"凭武汉工会会员服务卡享受；咨询 {UNION.short} {UNION.phone}")
    return "\n".join(lines)
