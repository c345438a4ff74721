"""Shared fixtures: a real SQLite file and, when UNIONCARD_TEST_PG_URL is set, a real PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

# Qt without a screen; QtWebEngine refuses root without the sandbox switch.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.bundled import districts_geojson
from app.geo.districts import DistrictIndex
from app.seed import open_seeded_store

PG_ENV = "UNIONCARD_TEST_PG_URL"
ROOT = Path(__file__).resolve().parent.parent
_QT_FIXTURES = frozenset({"qapp", "qtbot", "window"})


def pytest_collection_modifyitems(config, items):
    """`gui` on every test that uses Qt, whether or not it says so (`pytest -m "not gui"` runs the core)."""
    for item in items:
        if _QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory, monkeypatch):
    """Never touch the developer's real database: the default SQLite file goes to a temp dir."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))   # the log (app/logs.py)
    monkeypatch.delenv("UNIONCARD_DB", raising=False)


def _postgres_database():
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"PostgreSQL tests need a server: set {PG_ENV}=postgresql+psycopg://user:pw@host/db")
    name = f"uc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The same test runs against a SQLite file and a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'unioncard.sqlite'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'unioncard.sqlite'}"


@pytest.fixture
def seeded(db_url):
    store, districts = open_seeded_store(db_url)
    yield store, districts
    store.close()


@pytest.fixture(scope="session")
def district_index() -> DistrictIndex:
    return DistrictIndex.from_geojson(districts_geojson())


# ---------------------------------------------------------------- GUI: the real main window


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def store(sqlite_url):
    store, districts = open_seeded_store(sqlite_url)
    yield store, districts
    store.close()


@pytest.fixture
def window(qtbot, qapp, store, settings):
    """The main window on a seeded SQLite file, shown offscreen, its map drawn; closed cleanly after."""
    from qt_helpers import close, settle

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow

    install_cjk_font(qapp)
    w = MainWindow(*store, settings=settings)
    w.show()
    settle(qtbot, w)
    yield w
    assert [m for m in w.explorer.map.console if m[0] == "error"] == [], "no script errors in the page"
    close(w)


@pytest.fixture
def seeded_frame(sqlite_url):
    """The seed merchants as the catalogue returns them (on the same SQLite file as `sqlite_url`)."""
    from app.merchants.catalogue import search

    store, districts = open_seeded_store(sqlite_url)
    try:
        yield search(store, districts)
    finally:
        store.close()
