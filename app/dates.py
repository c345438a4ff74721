"""Dates as people and files give them: YYYY-MM-DD only, within the years a card's records can be on.

`20261101` (which Python's fromisoformat takes), `0001-01-01` and `9999-12-31` (whose expiry arithmetic
overflows) are refused at every boundary, by the same rule."""

from __future__ import annotations

import datetime as dt
import re

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def strict_date(text: str) -> dt.date:
    """The day `text` names, or ValueError (with the reason in Chinese)."""
    text = text.strip()
    if not _DAY.fullmatch(text):
        raise ValueError("应写成 YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("不是存在的日期（应写成 YYYY-MM-DD）") from None   # 2026-02-30
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"不在 {FIRST_DAY.year}–{LAST_DAY.year} 年之间")
    return day


def strict_month(text: str) -> str:
    """`text` if it is a YYYY-MM month within the range, else ValueError."""
    if not _MONTH.fullmatch(text or "") or not 1 <= int(text[5:]) <= 12 \
            or not FIRST_DAY.year <= int(text[:4]) <= LAST_DAY.year:
        raise ValueError(f"应写成 YYYY-MM（{FIRST_DAY.year}–{LAST_DAY.year} 年）")
    return text
