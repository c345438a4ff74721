"""Money as integer fen: parsing what people type, and printing it back as yuan."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

FEN_PER_YUAN = 100
# Far above anything a member's card sees; catches a mistyped amount (an extra row of zeros).
MAX_FEN = 10_000_000 * FEN_PER_YUAN


class AmountError(ValueError):
    """An amount a person typed that is not a sum of money we accept."""


_AMOUNT = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
ACCEPTED = "1000、1,000.50、¥300、300元 或全角数字"


def parse_decimal_yuan(text: object, what: str = "金额") -> Decimal:
    """An amount of yuan as people type it, the same everywhere (commands, forms, 算一算):
    plain decimals with an optional ¥/￥ in front or 元 behind, thousands commas, full-width digits.
    Scientific notation (1e3) and signs are refused: nobody means money that way."""
    text = str(text).strip()   # a pasted "300\n" or "300\xa0" is 300
    if re.search(r"[^\x20-\x7e０-９．，￥¥元\u3000]", text):   # ①, ٣, ३: digits nobody types for money
        raise AmountError(f"{what}“{text}”不是数字，请写成 {ACCEPTED}")
    raw = unicodedata.normalize("NFKC", str(text)).strip()     # １００ -> 100, ￥ -> ¥, ， -> ,
    raw = raw.removeprefix("¥").removesuffix("元").strip()
    if "," in raw and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?", raw, re.ASCII):   # 1,2,3 is not 123
        raise AmountError(f"{what}“{text}”中的逗号只能用作千位分隔（如 1,000.50）")
    raw = raw.replace(",", "")
    if raw.startswith("-"):
        raise AmountError(f"{what}不能是负数：{text}")
    if not _AMOUNT.fullmatch(raw):
        raise AmountError(f"{what}“{text}”不是数字，请写成 {ACCEPTED}")
    whole, _, fraction = raw.partition(".")
    if len(whole.lstrip("0")) > len(str(MAX_FEN // FEN_PER_YUAN)):   # before any arithmetic on it
        raise AmountError(f"{what}“{text}”大得不合常理")
    value = Decimal(raw)
    if len(fraction.rstrip("0")) > 2:
        raise AmountError(f"{what}“{text}”最多两位小数（精确到分）")
    if value * FEN_PER_YUAN > MAX_FEN:
        raise AmountError(f"{what}“{text}”大得不合常理")
    return value.quantize(Decimal("0.01"))


def parse_yuan(text: object, what: str = "金额", allow_zero: bool = False) -> int:
    """'1,234.5' / '¥12' / '12元' / '１２' -> fen. Refuses negatives, fractions of a fen and absurd sums."""
    fen = int(parse_decimal_yuan(text, what) * FEN_PER_YUAN)
    if fen == 0 and not allow_zero:
        raise AmountError(f"{what}必须大于 0")
    return fen


def fen_to_decimal(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def decimal_to_fen(amount: Decimal) -> int:
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise AmountError(f"金额 {amount} 不是整分")
    return int(fen)


def yuan(fen: int) -> str:
    """1234 -> '12.34' (plain, for JSON and files)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{part:02d}"


def yuan_text(fen: int) -> str:
    """123456 -> '¥1,234.56' (for people)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{whole:,}.{part:02d}"
