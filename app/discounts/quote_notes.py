"""What a quote says beside its price, in one list of notes: the same words in 算一算 and `discount price`."""

from __future__ import annotations

from dataclasses import dataclass

from app.discounts.price_calculator import Quote


@dataclass(frozen=True)
class Note:
    text: str
    warn: bool = False   # the price may not hold as shown: a dependency, a missing detail, wording not understood


def quote_notes(quote: Quote, settle: str | None = None) -> list[Note]:
    """The notes of a quote. `settle` says how a dependency on the day or hour can be settled where the
    quote is shown (the command line's --on/--time); None leaves it out."""
    notes: list[Note] = []
    if quote.not_valid:
        notes.append(Note(quote.not_valid))
    for text in quote.reductions:
        notes.append(Note(f"另减：{text}"))
    hints: list[str] = []
    for d in quote.depends:   # priced without it: the member's favour is never assumed
        what = "整单" if d.item_index is None else (quote.items[d.item_index].item_class or "整单")
        notes.append(Note(f"{what}{d.question}，应付 ¥{d.payable_if:,.2f}（{d.clause}）", warn=True))
        hints.append(settle if d.timed and settle else "分项写明可得确定价格")
    if quote.depends:   # said once, after the prices it explains
        notes.append(Note("应付按不享受以上优惠计算；" + "，或".join(dict.fromkeys(hints)), warn=True))
    for limit in quote.limits:
        notes.append(Note(f"使用限制：{limit}（超出时按原价，以商户为准）"))
    for need in quote.needs:   # 第二份半价 with no quantity typed: say how to give it
        notes.append(Note(need, warn=True))
    for perk in quote.perks:
        notes.append(Note(f"另获赠：{perk}（不计入应付）"))
    for note in quote.notes:
        notes.append(Note(note))
    if quote.capped is not None:
        notes.append(Note(f"本优惠最多减 ¥{quote.capped:,.2f}，已按上限计算"))
    if quote.uncertain:   # wording not understood: the price is not promised
        notes.append(Note(f"未能识别：{'；'.join(quote.uncertain)}。实际应付可能不同，以商户为准", warn=True))
    return notes
