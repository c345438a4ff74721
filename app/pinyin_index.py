"""Pinyin keys for merchant names, so members can type zbcc or zhongbai to find 中百仓储."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def full_pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def initials(text: str) -> str:
    return "".join(s[:1] for s in lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def is_pinyin_query(query: str) -> bool:
    """ASCII letters (and digits) only: worth matching against the pinyin keys."""
    return bool(query) and query.isascii() and query.replace(" ", "").isalnum()
