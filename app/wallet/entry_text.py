"""Journal entries as people and scripts read them: one Chinese line, or a JSON object."""

from __future__ import annotations

from app.money import yuan, yuan_text
from app.wallet.journal import KINDS, PURSE_NAMES, PURSES, Entry
from app.wallet.operations import POINTS_CARD, TOPUP_SOURCES, fares, payable_of


def entry_json(e: Entry) -> dict:
    return {
        "id": e.id, "date": e.occurred_on.isoformat(), "kind": e.kind, "kind_name": KINDS[e.kind],
        **{p: yuan(e.posting(p)) for p in PURSES},
        "amount": yuan(e.amount_fen), "purse": e.purse, "merchant_id": e.merchant_id,
        "merchant_name": e.merchant_name, "category": e.category, "mcc": e.mcc, "channel": e.channel,
        "card": e.card, "reason": e.reason, "refers_to": e.refers_to, "note": e.note, "details": dict(e.details),
    }


def describe(e: Entry) -> str:
    """One line a member reads: 消费 精益眼镜 ¥1,000.00 → 付 ¥850.00（银行账户）."""
    what = KINDS[e.kind]
    if e.kind == "purchase":
        payer = "积分卡" if e.purse == POINTS_CARD else PURSE_NAMES[e.purse or "bank"]
        return f"{what} {e.merchant_name} 原价 {yuan_text(e.amount_fen)} → 付 {yuan_text(payable_of(e))}（{payer}）"
    if e.kind == "ride":
        mode = fares()[e.reason].name if e.reason in fares() else e.reason
        return f"{what}（{mode}）票价 {yuan_text(e.amount_fen)} → 扣 {yuan_text(-e.posting('transit'))}"
    if e.kind in ("refund", "reversal"):
        return f"{what} 第 {e.refers_to} 笔 {yuan_text(e.amount_fen)}" + (f"（{e.merchant_name}）" if e.merchant_name else "")
    if e.kind == "redeem":
        return f"{what} {e.details.get('points')} 分" + (f"（{e.note}）" if e.note else "")
    if e.kind == "assertion":
        return f"{what} {PURSE_NAMES[e.purse]} 应为 {yuan_text(e.amount_fen)}"
    if e.kind == "close":
        return f"{what}" + (f"（{e.note}）" if e.note else "")
    extra = {"disburse": e.reason, "topup": TOPUP_SOURCES.get(e.reason or "")}.get(e.kind)
    return f"{what} {yuan_text(e.amount_fen)}" + (f"（{extra}）" if extra else "")
