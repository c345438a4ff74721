"""Scoring the held-out offer batches (tests/data/heldout/): each basket's quote is right, flagged or
confidently wrong, against the price its writer worked out before the parser ever read the offer.

- right: the basket is settled and the quote gives its price with no flag, or the writer marked it
  ambiguous (a cashier would have to ask) and the quote says what the price depends on;
- flagged: a settled basket whose quote says it may not hold (wording not understood, a dependency,
  a quantity asked for): honest, but not an answer;
- wrong: a confident price that is not the writer's, or a confident price where the writer says
  nobody could know it. This is the one a member at the till must never get.

`python tests/offer_scoring.py 3` scores batch 3 (`--summary` prints the counts only, `--all` every
batch). The regression test (tests/test_offer_heldout.py) holds every batch to no wrong price.
"""

from __future__ import annotations

import argparse
import re
import datetime as dt
import sys
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.discounts.offer_parser import parse_offer  # noqa: E402
from app.discounts.price_calculator import parse_basket, price  # noqa: E402


@dataclass(frozen=True)
class Outcome:
    batch: int
    offer: str
    items: str
    on: str | None
    expected: str
    ambiguous: bool
    got: str
    flags: tuple[str, ...]
    verdict: str          # right | flagged | wrong

    def line(self) -> str:
        when = f" @{self.on}" if self.on else ""
        want = f"ask (else {self.expected})" if self.ambiguous else self.expected
        flags = f" flags={list(self.flags)}" if self.flags else ""
        return f"[{self.verdict}] {self.offer} | {self.items}{when} | want {want} got {self.got}{flags}"


# A writer's own arithmetic slip, shown by the writer's `why`: the price is corrected here, in the open,
# never in the frozen batch file. (batch, offer text, items) -> (payable, why).
ERRATA = {
    (4, "男装 凭公会卡全场一率8折(新款不参加，西服定制另议)", "衬衫=199 裤子=299"):
        ("398.40", "the writer's why says 398×0.8, but 199 + 299 = 498, and 498×0.8 = 398.40"),
}


def batch_files() -> list[Path]:
    return sorted(HELDOUT.glob("batch_*.toml"), key=lambda p: int(p.stem.split("_")[1]))


def _when(on: str | None):
    if not on:
        return None
    return dt.datetime.fromisoformat(on) if " " in on else dt.date.fromisoformat(on)


def score_batch(path: Path) -> list[Outcome]:
    number = int(path.stem.split("_")[1])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for offer in data["offer"]:
        rules = parse_offer(offer["text"])
        for basket in offer["basket"]:
            quote = price(rules, parse_basket(basket["items"]), _when(basket.get("on")))
            flags = tuple(
                [f"未能识别：{u}" for u in quote.uncertain] + [f"取决于：{d.question}" for d in quote.depends]
                + [f"需写明：{n}" for n in quote.needs])
            ambiguous = bool(basket.get("ambiguous", False))
            corrected = ERRATA.get((number, offer["text"], basket["items"]))
            expected = Decimal(corrected[0] if corrected else basket["payable"])
            if ambiguous:
                verdict = "right" if flags else "wrong"
            elif flags:
                verdict = "flagged"
            else:
                verdict = "right" if quote.payable == expected else "wrong"
            out.append(Outcome(number, offer["text"], basket["items"], basket.get("on"), str(expected),
                               ambiguous, str(quote.payable), flags, verdict))
    return out


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    return {v: sum(o.verdict == v for o in outcomes) for v in ("right", "flagged", "wrong")}


def summary(outcomes: list[Outcome]) -> str:
    c = counts(outcomes)
    n = len(outcomes)
    return (f"{n} baskets: {c['right']} right ({100 * c['right'] / n:.0f} %), {c['flagged']} flagged, "
            f"{c['wrong']} wrong ({100 * c['wrong'] / n:.0f} %)")


README_START, README_END = "<!-- heldout -->", "<!-- /heldout -->"


def score_table() -> str:
    """The curve README shows: batches in the order their results were first read."""
    import tomllib

    recorded = tomllib.loads((HELDOUT / "scores.toml").read_text(encoding="utf-8"))["batch"]

    def pct(d: dict, key: str, n: int) -> str:
        return f"{100 * d[key] / n:.0f} %"

    rows = ["| # | batch | baskets | before (parser 12): right / wrong | first try: right / flagged / wrong | now: right / wrong |",
            "|---:|---:|---:|---:|---:|---:|"]
    for b in sorted(recorded, key=lambda b: b["order"]):
        n, base, first = b["baskets"], b["baseline"], b["first_try"]
        now = counts(score_batch(HELDOUT / f"batch_{b['batch']}.toml"))
        rows.append(f"| {b['order']} | {b['batch']} | {n} | {pct(base, 'right', n)} / {pct(base, 'wrong', n)} | "
                    f"{pct(first, 'right', n)} / {pct(first, 'flagged', n)} / {pct(first, 'wrong', n)} | "
                    f"{pct(now, 'right', n)} / {pct(now, 'wrong', n)} |")
    return "\n".join(rows)


def record_now() -> None:
    """Rewrite the `now = {...}` line of every batch in scores.toml with today's counts; nothing else in
    the file changes (first tries and baselines are history)."""
    path = HELDOUT / "scores.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    batch = None
    for i, line in enumerate(lines):
        if m := re.match(r"batch = (\d+)$", line):
            batch = int(m.group(1))
        elif line.startswith("now = ") and batch is not None:
            c = counts(score_batch(HELDOUT / f"batch_{batch}.toml"))
            lines[i] = f"now = {{ right = {c['right']}, flagged = {c['flagged']}, wrong = {c['wrong']} }}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batch", nargs="?", type=int)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--summary", action="store_true", help="counts only, no offers")
    parser.add_argument("--table", action="store_true", help="README's table: each batch's first try and now")
    parser.add_argument("--write-readme", action="store_true", help="put the table into README.md")
    parser.add_argument("--record-now", action="store_true",
                        help="write each batch's counts today as its `now` in scores.toml (the floor the tests hold)")
    args = parser.parse_args(argv)
    if args.record_now:
        record_now()
        return 0
    if args.table:
        print(score_table())
        return 0
    if args.write_readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = text.index(README_START) + len(README_START), text.index(README_END)
        readme.write_text(text[:start] + "\n" + score_table() + "\n" + text[end:], encoding="utf-8")
        return 0
    files = batch_files() if args.all or args.batch is None else [HELDOUT / f"batch_{args.batch}.toml"]
    for path in files:
        outcomes = score_batch(path)
        print(f"batch {path.stem.split('_')[1]}: {summary(outcomes)}")
        if not args.summary:
            for o in outcomes:
                if o.verdict != "right":
                    print("  " + o.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
