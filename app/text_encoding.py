"""Text staff and members bring: files from Chinese office software (UTF-8, or GB18030 (GBK) as Excel
writes CSV), and names and offers written in Traditional characters (戶部巷, 茶位費)."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters as Simplified (茶位費 -> 茶位费); Simplified text is left as it is."""
    return _t2s().convert(text)


ENCODINGS = ("utf-8", "gb18030", "gbk", "utf-16")   # what staff may name with --encoding


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


class MixedEncoding(ValueError):
    """A UTF-8 file with bytes in it that are not UTF-8 (one cell pasted from a GBK file): decoding it
    whole as either would store gibberish, so it is refused. `offsets`: where each bad sequence starts."""

    def __init__(self, offsets: list[int]):
        super().__init__(f"{len(offsets)} 处不是 UTF-8")
        self.offsets = offsets


def _utf8_bad_offsets(data: bytes) -> tuple[int, list[int]]:
    """(how many non-ASCII characters decode as UTF-8, where each undecodable byte run starts), in one
    pass: undecodable bytes come back as lone surrogates (surrogateescape), one per byte."""
    text = data.decode("utf-8", errors="surrogateescape")
    good = 0
    bad: list[int] = []
    offset = 0
    previous_bad = False
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            if not previous_bad:
                bad.append(offset)
            previous_bad = True
            offset += 1
            continue
        previous_bad = False
        if code > 127:
            good += 1
        offset += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return good, bad


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode staff files: UTF-16 with its BOM (Excel's "Unicode 文本"), UTF-8 (with or without BOM), then
    GB18030 (a superset of GBK, what Chinese Excel writes as "CSV"); or strictly as `encoding` says.
    Raises MixedEncoding for a UTF-8 file with some bytes that are not (GB18030 would read the whole
    file, and store every Chinese name in it as gibberish), UnicodeDecodeError if nothing fits."""
    if encoding:
        codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, encoding)
        return data.decode(codec), encoding
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        good, bad = _utf8_bad_offsets(data.removeprefix(b"\xef\xbb\xbf"))
        if good > len(bad):   # mostly UTF-8: the rest is damage, not another encoding
            shift = 3 if data.startswith(b"\xef\xbb\xbf") else 0
            raise MixedEncoding([o + shift for o in bad]) from None
        text = data.decode("gb18030")
        if (m := _PRIVATE_USE.search(text)) is not None:
            # GB18030 reads almost any bytes; UTF-8 read as it gives characters no Chinese text has.
            raise MixedEncoding([len(text[:m.start()].encode("gb18030"))]) from None
        return text, "gb18030"
