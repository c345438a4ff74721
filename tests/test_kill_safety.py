"""kill -9 at the worst moments (issue 17): a 100,000-row `merchants import` killed while it reads
the file, just after it starts writing and just before it commits leaves the catalogue exactly as
before or exactly as after, on SQLite and PostgreSQL; a wallet writer killed again and again leaves
every acknowledged entry in place, no half entry, and balances equal to the journal's sums."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.seed import open_seeded_store
from widgets.launcher import main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from catalogue_100k import synthetic_csv  # noqa: E402  (the benchmark's 100,000 realistic rows)

pytestmark = pytest.mark.slow   # kills of a 100,000-row import and of wallet writers: not in the inner loop

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("import") / "merchants_100k.csv"
    synthetic_csv(path, 100_000)
    return path


def _fresh_databases(kind: str, tmp_path: Path):
    """Seeded databases of one kind, each new, as URLs; PostgreSQL ones are dropped at the end."""
    made: list[str] = []
    admin_url = os.environ.get("UNIONCARD_TEST_PG_URL")
    if kind == "postgresql" and not admin_url:
        pytest.skip("PostgreSQL tests need a server: set UNIONCARD_TEST_PG_URL")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT") if kind == "postgresql" else None

    def new() -> str:
        name = f"uc_kill_{len(made)}_{os.getpid()}_{random.randrange(10**6)}"
        if admin is None:
            url = f"sqlite:///{tmp_path / (name + '.sqlite')}"
        else:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        store, _ = open_seeded_store(url)
        store.close()
        made.append(url)
        return url

    try:
        yield new
    finally:
        if admin is not None:
            with admin.connect() as conn:
                for url in made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database(request, tmp_path):
    yield from _fresh_databases(request.param, tmp_path)


def _catalogue(url: str) -> str:
    """A fingerprint of everything an import writes: merchants, their revisions and change sets."""
    engine = create_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for query in ("SELECT id, revision, name, lon, lat, offer, retired_on FROM merchants ORDER BY id",
                      "SELECT merchant_id, revision, action FROM merchant_revisions ORDER BY merchant_id, revision",
                      "SELECT id, kind, file_name FROM change_sets ORDER BY id"):
            for row in conn.execute(text(query)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def _writing(url: str) -> bool:
    """Has the import opened its write transaction (seen from outside, as another program would)?"""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database + "-journal").exists() or Path(parsed.database + "-wal").exists()
    engine = create_engine(url)
    with engine.connect() as conn:
        busy = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")).scalar_one()
    engine.dispose()
    return busy > 0


def _start_import(url: str, csv_path: Path) -> subprocess.Popen:
    """The import as a member of staff runs it; what it says goes to a file, so a full pipe never
    holds it back."""
    log = (csv_path.parent / "import.log").open("w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "app", "--db", url, "merchants", "import", str(csv_path),
                                "--duplicates", "keep"], cwd=csv_path.parent, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=log, text=True)
    process.log = log
    return process


def _said(process: subprocess.Popen) -> str:
    """The end of what the import wrote to its error stream."""
    process.log.seek(0)
    return process.log.read()[-2000:]


def _wait_until_writing(process: subprocess.Popen, url: str, timeout_s: float = 300) -> float:
    start = time.monotonic()
    while not _writing(url):
        assert process.poll() is None, f"the import ended before it was seen writing: {_said(process)}"
        assert time.monotonic() - start < timeout_s, "the import never started writing"
        time.sleep(0.02)
    return time.monotonic()


def _kill(process: subprocess.Popen) -> None:
    assert process.poll() is None, "the import had already finished: the kill came too late to test anything"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.log.close()


def test_a_killed_import_leaves_the_catalogue_as_before_or_as_after(fresh_database, big_csv):
    # The import run to its end tells what "after" is and how long each phase takes here.
    url = fresh_database()
    before = _catalogue(url)
    started = time.monotonic()
    run = _start_import(url, big_csv)
    writing_at = _wait_until_writing(run, url)
    run.wait(timeout=600)
    ended = time.monotonic()
    assert run.returncode == 0, _said(run)
    run.log.close()
    after = _catalogue(url)
    assert after != before
    checking_s, writing_s = writing_at - started, ended - writing_at

    outcomes = {}
    # While it reads and checks the file (nothing written yet).
    url = fresh_database()
    process = _start_import(url, big_csv)
    time.sleep(checking_s * 0.6)
    _kill(process)
    outcomes["checking"] = _catalogue(url)
    # Inside the write transaction: just after it began, and late in it. How long the write takes
    # varies with the machine's load, so a kill that comes after the import has ended is tried again
    # earlier; the test fails only if no kill lands while it runs.
    for moment, fractions in (("writing", (0.15, 0.05)), ("committing", (0.75, 0.5, 0.3))):
        for fraction in fractions:
            url = fresh_database()
            process = _start_import(url, big_csv)
            _wait_until_writing(process, url)
            time.sleep(writing_s * fraction)
            if process.poll() is None:
                _kill(process)
                outcomes[moment] = _catalogue(url)
                break
            process.log.close()
        else:
            pytest.fail(f"every kill meant for '{moment}' came after the import had ended")

    for moment, state in outcomes.items():
        assert state in (before, after), f"killed while {moment}: the catalogue is neither as before nor as after"
    assert outcomes["checking"] == before and outcomes["writing"] == before


# ---------------------------------------------------------------- the wallet

WRITER = r"""
import datetime as dt, sys
from app.discounts.price_calculator import Item
from app.seed import open_seeded_store
from app.wallet.service import Wallet
from decimal import Decimal
store, districts = open_seeded_store(sys.argv[1])
wallet = Wallet(store, districts)
day = dt.date(2026, 11, 2)
steps = [lambda: wallet.deposit(10_000, day),
         lambda: wallet.load(3_000, day),
         lambda: wallet.topup_transit(2_000, "bank", day),
         lambda: wallet.pay("qs-06", [Item(None, Decimal("10"))], "ecash", day),
         lambda: wallet.ride("metro", 400, day)]
i = 0
while True:
    entry = steps[i % len(steps)]()
    print(entry.id, flush=True)
    i += 1
"""


def _journal(url: str) -> tuple[list[tuple], int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT id, kind, bank_fen, ecash_fen, transit_fen FROM wallet_entries ORDER BY id"))]
        revision = conn.execute(text("SELECT coalesce(max(revision), 0) FROM wallet_profile")).scalar_one()
    engine.dispose()
    return rows, revision


def test_killing_wallet_writes_never_leaves_half_an_entry(fresh_database, tmp_path, capsys):
    url = fresh_database()
    rng = random.Random(17)
    acknowledged: list[int] = []
    for _ in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, url], cwd=tmp_path, env=ENV,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wanted = rng.randrange(3, 12)
        for _ in range(wanted):
            line = writer.stdout.readline()
            assert line, writer.stderr.read()[-2000:]
            acknowledged.append(int(line))
        time.sleep(rng.uniform(0, 0.05))   # somewhere inside the next write
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        acknowledged += [int(line) for line in writer.stdout.read().split()]  # printed before the kill landed
        writer.stdout.close()
        writer.stderr.close()

        rows, revision = _journal(url)
        ids = [r[0] for r in rows]
        assert set(acknowledged) <= set(ids), "an entry the writer was told is saved has gone"
        assert len(ids) - len(acknowledged) in (0, 1), "more than the one write in flight appeared"
        # The revision bump and the entry are one transaction: neither lands without the other.
        assert revision == len(ids)
        # Each entry is whole: a transfer between purses moves money without creating any.
        for _id, kind, bank, ecash, transit in rows:
            if kind in ("load", "topup"):   # the writer tops up from the bank account
                assert bank + ecash + transit == 0, rows
        acknowledged = ids

    # What the app shows is the journal's sums, and the journal still obeys every rule.
    assert main(["--db", url, "wallet", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    rows, _ = _journal(url)
    sums = [sum(r[i] for r in rows) for i in (2, 3, 4)]
    assert [shown["bank"], shown["ecash"], shown["transit"]] == [f"{Decimal(s).scaleb(-2):.2f}" for s in sums]
    assert min(sums) >= 0
    assert main(["--db", url, "wallet", "deposit", "1", "--date", "2026-11-03"]) == 0
