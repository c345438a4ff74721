"""The journal's card spending as the points engine reads it: which entries earn, and which take back."""

from __future__ import annotations

from decimal import Decimal
from collections.abc import Iterable

from app.money import fen_to_decimal
from app.points.engine import Transaction
from app.wallet.journal import Entry, reversed_ids
from app.wallet.operations import payable_of


def card_of(entry: Entry, programme_code: str | None) -> str:
    """The card as the programme sees it: debit or credit when it is that programme's bank's card,
    `other_bank` for another bank's, `union` for the union card (汉口银行 debit; older entries say debit
    and name no programme)."""
    programme = entry.details.get("points_programme")
    if not programme:
        return "union"
    return (entry.card or "union") if programme == programme_code else "other_bank"


def wallet_transactions(entries: Iterable[Entry], programme_code: str | None = None) -> list[Transaction]:
    """Card spending in the journal, as `programme_code`'s engine reads it (deposits, loads and rides
    earn nothing; the union card's purchases reach it as card `union`, which no programme is for).

    A reversed purchase counts as a full refund; a refund that was itself reversed is dropped.
    """
    entries = list(entries)
    by_id = {e.id: e for e in entries}
    undone = reversed_ids(entries)
    out = []
    for e in entries:
        ref = str(e.id)
        card = card_of(by_id.get(e.refers_to, e) if e.kind == "refund" else e, programme_code)
        if e.kind == "purchase":
            out.append(Transaction(ref, e.occurred_on, fen_to_decimal(payable_of(e)), "purchase", None, e.mcc,
                                   e.channel, card))
        elif e.kind == "refund" and e.id not in undone:
            out.append(Transaction(ref, e.occurred_on, fen_to_decimal(e.amount_fen), "refund", None, e.mcc,
                                   e.channel, card, str(e.refers_to)))
        elif e.kind == "close" and card not in ("union", "other_bank"):
            out.append(Transaction(ref, e.occurred_on, Decimal(0), "account_close", None, None, None, card))
        elif e.kind == "reversal" and by_id.get(e.refers_to) is not None and by_id[e.refers_to].kind == "purchase":
            paid = payable_of(by_id[e.refers_to])
            if paid:
                out.append(Transaction(ref, e.occurred_on, fen_to_decimal(paid), "refund", None, e.mcc,
                                       e.channel, card_of(by_id[e.refers_to], programme_code), str(e.refers_to)))
        elif e.kind == "redeem":
            out.append(Transaction(ref, e.occurred_on, Decimal(int(e.details["points"])), "redeem"))
    return [t for t in out if t.amount > 0 or t.kind == "account_close"]
