"""Money as integer fen: parsing what people type, and printing it back as yuan."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
# Far above anything a member's card sees; catches a mistyped amount (an extra row of zeros).
MAX_FEN = 10_000_000 * FEN_PER_YUAN


class AmountError(ValueError):
    """An amount a person typed that is not a sum of money we accept."""


def parse_yuan(text: object, what: str = "金额", allow_zero: bool = False) -> int:
    """'1,234.5' / '¥12' / '12元' -> fen. Refuses negatives, fractions of a fen and absurd sums."""
    raw = str(text).strip().replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥")
    raw = raw.removesuffix("元").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise AmountError(f"{what}“{text}”不是数字") from None
    if not value.is_finite():
        raise AmountError(f"{what}“{text}”不是数字")
    if value < 0:
        raise AmountError(f"{what}不能是负数：{text}")
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise AmountError(f"{what}“{text}”最多两位小数（精确到分）")
    if fen == 0 and not allow_zero:
        raise AmountError(f"{what}必须大于 0")
    if fen > MAX_FEN:
        raise AmountError(f"{what}“{text}”大得不合常理")
    return int(fen)


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
