"""Pinyin keys for merchant names, so members can type zbcc or zhongbai to find 中百仓储."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65_536)
def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of `text` from one conversion: 中百仓储 -> ("zhongbaicangchu", "zbcc").

    Runs of non-Chinese characters (KFC, 7) come back verbatim and are kept whole in both keys.
    """
    from pypinyin import lazy_pinyin  # a quarter of a second to import: only when a name is converted

    chunks = lazy_pinyin(text)
    full = "".join(chunks).lower()
    initials = "".join(c if c in text else c[:1] for c in chunks).lower()
    return full, initials


def is_pinyin_query(query: str) -> bool:
    """ASCII letters (and digits) only: worth matching against the pinyin keys."""
    return bool(query) and query.isascii() and query.replace(" ", "").isalnum()
