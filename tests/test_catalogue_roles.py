"""Two staff and a member on one real PostgreSQL catalogue: their own roles, what each may do, and
concurrent saves that never lose an update."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from conftest import _postgres_database
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from app.merchants import history
from app.merchants.curation import load, save_changes
from app.seed import open_seeded_store
from app.store import Store
from widgets.launcher import main

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url():
    yield from _postgres_database()


@pytest.fixture
def roles(pg_url):
    """A staff role and a member role made by `catalogue grant`, dropped again afterwards."""
    open_seeded_store(pg_url)[0].close()
    suffix = uuid.uuid4().hex[:6]
    made = {"staff": f"zhang_{suffix}", "member": f"member_{suffix}"}
    for kind, role in made.items():
        assert main(["--db", pg_url, "catalogue", "grant", role, "--as", kind, "--password", "pw'1"]) == 0
    urls = {kind: make_url(pg_url).set(username=role, password="pw'1").render_as_string(hide_password=False)
            for kind, role in made.items()}
    yield made, urls
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in made.values():
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def cli(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_staff_edit_under_their_own_name_and_members_only_read(roles, capsys):
    made, urls = roles
    code, out, _ = cli(capsys, urls["staff"], "catalogue", "whoami", "--json")
    assert code == 0 and json.loads(out) == {"name": made["staff"], "can_edit": True, "shared": True}
    code, out, _ = cli(capsys, urls["member"], "catalogue", "whoami", "--json")
    assert json.loads(out)["can_edit"] is False

    assert cli(capsys, urls["staff"], "merchants", "edit", "qs-01", "--offer", "8.8折")[0] == 0
    code, out, _ = cli(capsys, urls["staff"], "merchants", "history", "qs-01", "--json")
    assert code == 0 and json.loads(out)["revisions"][-1]["author"] == made["staff"]
    code, _, err = cli(capsys, urls["member"], "merchants", "history", "qs-01")
    assert code == 1 and "没有这个权限" in err and "Traceback" not in err   # staff's history is theirs

    code, _, err = cli(capsys, urls["member"], "merchants", "edit", "qs-01", "--offer", "5折")
    assert code == 1 and "没有修改商户目录的权限" in err
    code, out, _ = cli(capsys, urls["member"], "merchants", "list", "--json")
    assert code == 0 and json.loads(out)["count"] == 12


def test_the_database_itself_enforces_the_roles(roles):
    _, urls = roles
    member = create_engine(urls["member"])
    with pytest.raises(ProgrammingError, match="permission denied"):
        with member.begin() as conn:
            conn.execute(text("UPDATE merchants SET offer = '1折'"))
    member.dispose()
    staff = create_engine(urls["staff"])
    for statement in ("DELETE FROM merchants", "DELETE FROM merchant_revisions", "DROP TABLE merchants"):
        with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
            with staff.begin() as conn:
                conn.execute(text(statement))
    staff.dispose()


def _race(url, n, work):
    """Run `work(store, i)` in n threads on n stores, started together; returns the results."""
    stores = [Store(url) for _ in range(n)]
    districts = open_seeded_store(url)[1]
    # As in the app, the districts are read (and geopandas, GDAL and PROJ initialised) before threads
    # share them: a library initialising in one thread while others work can crash the process.
    _ = districts.frame, districts.city
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        barrier.wait()
        results[i] = work(stores[i], districts, i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in stores:
        s.close()
    return results


def test_concurrent_saves_to_different_fields_all_land(pg_url):
    open_seeded_store(pg_url)[0].close()
    edits = [("phone", "86860001"), ("address", "和平大道1号"), ("source", "2026 第二批"), ("mcc", "5999"),
             ("offer", "9折"), ("name", "湖北中联大药房（旗舰店）")]

    def work(store, districts, i):
        field, value = edits[i]
        return save_changes(store, districts, "qs-01", 1, {field: value}, author=f"staff{i}")

    results = _race(pg_url, len(edits), work)
    assert all(r.saved for r in results)
    store = Store(pg_url)
    now = load(store, "qs-01")
    assert {f: now.state[f] for f, _ in edits} == dict(edits)
    assert [r.revision for r in history.history(store, "qs-01")] == list(range(1, len(edits) + 2))
    store.close()


def test_concurrent_saves_to_the_same_field_never_lose_one_silently(pg_url):
    open_seeded_store(pg_url)[0].close()

    def work(store, districts, i):
        return save_changes(store, districts, "qs-02", 1, {"offer": f"{9 - i}折"}, author=f"staff{i}")

    results = _race(pg_url, 5, work)
    saved = [r for r in results if r.saved]
    assert len(saved) == 1, "exactly one wins; every other save comes back as a conflict"
    assert all(r.conflicts and r.conflicts[0].field == "offer" for r in results if not r.saved)
    store = Store(pg_url)
    assert load(store, "qs-02").state["offer"] == saved[0].changes["offer"][1]
    store.close()


@pytest.mark.gui
def test_the_app_offers_edit_mode_to_staff_only(roles, qtbot, qapp, settings):
    from qt_helpers import close, settle

    from widgets.main_window import MainWindow

    made, urls = roles
    windows = {}
    for kind in ("member", "staff"):
        store, districts = open_seeded_store(urls[kind])
        w = MainWindow(store, districts, settings=settings)
        w.show()
        settle(qtbot, w)
        windows[kind] = (w, store, districts)
    member, staff = windows["member"][0], windows["staff"][0]
    assert not member.edit_mode.menu.menuAction().isVisible() and member.edit_mode.toolbar.isHidden()
    member.edit_mode.set_active(True)
    assert not member.edit_mode.active, "a read-only role cannot switch it on"
    assert staff.edit_mode.menu.menuAction().isVisible()
    # the wallet is personal: on the shared catalogue it says where it lives instead of failing
    assert member.wallet_tab is None and "自己电脑上的数据库" in member.tabs.widget(1).text()
    assert not member.explorer.details.record_button.isEnabled()
    staff.edit_mode.set_active(True)
    staff.explorer.select_merchant("qs-09")
    result = staff.edit_mode.apply("qs-09", {"offer": "8.8折"})
    assert result.saved and history.history(windows["staff"][1], "qs-09")[-1].author == made["staff"]
    # the colleague (here the member's window) sees it after a refresh
    member.explorer.refresh()
    assert member.explorer.record_of("qs-09")["offer"] == "8.8折"
    for w, store, _ in windows.values():
        close(w)
        store.close()
