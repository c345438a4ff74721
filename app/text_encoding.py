"""Text staff and members bring: files from Chinese office software (UTF-8, or GB18030 (GBK) as Excel
writes CSV), and names and offers written in Traditional characters (戶部巷, 茶位費)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters as Simplified (茶位費 -> 茶位费); Simplified text is left as it is."""
    return _t2s().convert(text)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode staff files: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK,
    what Chinese Excel writes as "CSV"). Raises UnicodeDecodeError if neither fits."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"
