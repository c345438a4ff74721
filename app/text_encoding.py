"""Files staff and members bring from Chinese office software: UTF-8, or GB18030 (GBK) as Excel writes CSV."""

from __future__ import annotations


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode staff files: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK,
    what Chinese Excel writes as "CSV"). Raises UnicodeDecodeError if neither fits."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"
