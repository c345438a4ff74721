"""Every command, random arguments (issue 17): hypothesis throws text, numbers, dates, coordinates
and awkward paths at each subcommand's options and positionals, as read from the parser itself (a new
command is fuzzed without touching this file). Whatever it throws, the command ends with exit 0, 1 or
2 and no traceback; nothing escapes as a Python exception.

Examples are derandomised so CI is reproducible; UNIONCARD_FUZZ_EXAMPLES=500 hunts further locally."""

from __future__ import annotations

import argparse
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.seed import open_seeded_store
from widgets.launcher import build_full_parser, main

EXAMPLES = int(os.environ.get("UNIONCARD_FUZZ_EXAMPLES", "20"))
HUNTING = "UNIONCARD_FUZZ_EXAMPLES" in os.environ   # then random, not the same examples each run
SLOW = {"snapshot": 3, "flyer": 8, "lists flyer": 8, "export-map": 8, "merchants import": 12}


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))
            return
    yield prefix, parser


COMMANDS = {" ".join(name): parser for name, parser in _commands(build_full_parser())}

# ---------------------------------------------------------------- what a hostile user types

NUMBERS = st.one_of(
    st.integers(-10**40, 10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.sampled_from(["0", "-0", "1e3", "1E400", "1e-400", "0.001", "100.005", "¥100", "￥1,000", "1,000",
                     "１００", "一百", "nan", "-inf", "Infinity", "0x10", "1_000", " 12 ", "12元", "", "."]),
)
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "2026/11/29", "20261129",
                     "2026-11", "2026-11-29T10:00", "昨天", ""]),
)
COORDINATES = st.one_of(
    st.tuples(st.floats(), st.floats()).map(lambda p: f"{p[0]},{p[1]}"),
    st.sampled_from(["114.39,30.63", "30.63,114.39", "0,0", "nan,nan", "inf,1", "114.39", "114.39,30.63,1",
                     "114.39，30.63", "200,100", ",", ""]),
)
NAMES = st.sampled_from(["青山区", "江汉区", "洪山区", "不存在区", "餐饮", "购物", "医疗", "娱乐", "qs-01", "qs-06",
                         "qs-99", "staff", "member", "bank", "ecash", "transit", "metro", "bus", "配镜=1000",
                         "=", "配镜=", "=100", "配镜=1e30", "套餐=40x2", "全场9折", "会员专享八八折",
                         "<img src=x onerror=alert(1)>", "</script>", "'; DROP TABLE merchants;--",
                         "\u2028", "\x00", "=HYPERLINK(\"x\")", "a" * 5000, "-", "--", "-h"])
PATHS = st.sampled_from(["new.csv", "new.xlsx", "out.pdf", "out.html", "junk.csv", "gbk.csv", "empty.csv",
                         "junk.xlsx", "folder", "folder/", "afile/x.csv", "afile", "missing/x.csv", "a\x00b.csv",
                         "x" * 300 + ".csv", "", ".", "keys/key.pem", "https://127.0.0.1:9/none.json"])
ANYTHING = st.one_of(st.text(max_size=40), NUMBERS, DATES, COORDINATES, NAMES, PATHS)

_BY_DEST = [
    (("date", "since", "until", "as_of", "birthday", "valid_from", "valid_to", "month"), DATES),
    (("near", "at", "coordinates", "position"), COORDINATES),
    (("amount", "radius", "min_saving", "limit", "base_revision", "missing_from", "points", "fare", "fen",
      "revision", "entry", "purchase"), NUMBERS),
    (("out", "out_dir", "csv", "transactions", "key", "path", "file", "source_file", "from"), PATHS),
]


def _values_for(action: argparse.Action) -> st.SearchStrategy[str]:
    if action.choices:
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), ANYTHING)
    dest = action.dest.lower()
    for words, strategy in _BY_DEST:
        if any(w == dest or dest.endswith("_" + w) or dest.startswith(w + "_") for w in words):
            return st.one_of(strategy, strategy, ANYTHING)
    return st.one_of(NAMES, ANYTHING)


@st.composite
def _argv(draw, parser: argparse.ArgumentParser) -> list[str]:
    argv: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.dest == "db":
            continue
        values = _values_for(action)
        if not action.option_strings:   # a positional: almost always given, sometimes left out
            if action.nargs in ("*", "+"):
                argv += draw(st.lists(values, min_size=0, max_size=3))
            elif action.nargs == "?":
                argv += draw(st.lists(values, max_size=1))
            elif draw(st.integers(0, 9)):
                argv.append(draw(values))
            continue
        if not draw(st.booleans()):
            continue
        flag = draw(st.sampled_from(action.option_strings))
        if action.nargs == 0:
            argv.append(flag)
        else:
            for _ in range(draw(st.integers(1, 2)) if isinstance(action, argparse._AppendAction) else 1):
                argv += [flag, draw(values)]
    return argv


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A seeded database and a folder of awkward files the paths above point at."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "junk.csv").write_bytes(os.urandom(300))
    (root / "gbk.csv").write_bytes("编号,名称,类别,经度,纬度\nx,中百仓储,购物,114.39,30.63\n".encode("gbk"))
    (root / "empty.csv").write_bytes(b"")
    (root / "junk.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (root / "folder").mkdir()
    (root / "afile").write_text("x", encoding="utf-8")
    url = f"sqlite:///{root / 'fuzz.sqlite'}"
    store, _ = open_seeded_store(url)
    store.close()
    return root, url


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_random_arguments_never_end_in_a_traceback(command, workspace, monkeypatch, capsys, qapp):
    root, url = workspace
    monkeypatch.chdir(root)

    @settings(max_examples=EXAMPLES if HUNTING else min(EXAMPLES, SLOW.get(command, EXAMPLES)), deadline=None, derandomize=not HUNTING,
              database=None, suppress_health_check=list(HealthCheck))
    @given(_argv(COMMANDS[command]))
    def run(argv):
        try:
            code = main(["--db", url, *command.split(), *argv])
        except SystemExit as exit_:   # argparse: a usage error (2) or --help (0)
            code = exit_.code
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (argv, code, err[-500:])
        assert "Traceback" not in out + err, (argv, err[-2000:])
        if code:   # why, in words (or, with --json, in the JSON the script reads)
            assert err.strip() or ("--json" in argv and out.strip()), f"exit {code} without a word of why: {argv}"

    run()
