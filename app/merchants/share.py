"""A merchant as a member passes it on: a short text card for a chat, and the same text in a QR code."""

from __future__ import annotations

import datetime as dt

from app.card_service import UNION
from app.discounts.rules_text import headline_phrase

APPROXIMATE = "位置为大致位置，以商户实际地址为准"


def _text(value) -> str:
    """A cell as text: None and NaN (a missing value in a catalogue frame) are empty."""
    return "" if value is None or value != value else str(value).strip()


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
    ends = row.get("valid_to")
    if isinstance(ends, dt.date):
        lines.append(f"有效期至：{ends.isoformat()}")
    lines.append(f"凭武汉工会会员服务卡享受；咨询 {UNION.short} {UNION.phone}")
    return "\n".join(lines)
