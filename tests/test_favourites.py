"""The member's favourites and recently viewed merchants: starred in the details pane, a filter in
我的, kept in the member's own database; a catalogue update never touches them, and a favourite the
union retired says so."""

from __future__ import annotations

import datetime as dt

import pytest
from qt_helpers import WAIT_MS, settle

from app.merchants import favourites, release_keys, release_update, review
from app.merchants.curation import load, retire
from app.merchants.releases import publish
from app.seed import open_seeded_store

pytestmark = pytest.mark.gui


def test_star_a_merchant_and_filter_to_favourites_and_recent(window, qtbot, store):
    db, _ = store
    explorer = window.explorer
    explorer.select_merchant("qs-08")
    assert explorer.details.favourite_button.isVisible() and not explorer.details.favourite_button.isChecked()
    explorer.details.favourite_button.click()
    assert explorer.details.favourite_button.text() == "★ 已收藏"
    assert favourites.favourite_ids(db) == ["qs-08"]
    explorer.select_merchant("qs-01")
    explorer.select_merchant("qs-05")
    explorer.panel.favourites_button.click()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 1, timeout=WAIT_MS)
    assert explorer.record_of("qs-08") is not None
    settle(qtbot, window)
    explorer.panel.recent_button.click()   # the two filters exclude each other
    assert not explorer.panel.favourites_button.isChecked()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 3, timeout=WAIT_MS)
    assert favourites.recent_ids(db)[:3] == ["qs-05", "qs-01", "qs-08"]
    explorer.panel.recent_button.click()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 12, timeout=WAIT_MS)
    settle(qtbot, window)


def test_no_favourites_yet_shows_an_empty_list_not_everything(window, qtbot):
    window.explorer.panel.favourites_button.click()
    qtbot.waitUntil(lambda: window.explorer.model.rowCount() == 0, timeout=WAIT_MS)
    settle(qtbot, window)


def test_an_update_keeps_favourites_and_says_when_one_was_retired(window, qtbot, store, tmp_path):
    db, _ = store
    favourites.set_favourite(db, "qs-12", True)
    favourites.set_favourite(db, "qs-03", True)
    favourites.record_view(db, "qs-12")
    private, public = release_keys.generate(tmp_path / "keys")
    staff, districts = open_seeded_store(f"sqlite:///{tmp_path / 'staff.sqlite'}")
    retire(staff, districts, "qs-12", load(staff, "qs-12").revision, reason="已停业", on=dt.date(2026, 11, 1),
           author="张三")
    review.approve(staff, None, author="王审核")
    publish(staff, tmp_path / "release", release_keys.load_private(private))
    staff.close()
    release_update.trust(db, public)
    release_update.update(db, source=str(tmp_path / "release"))
    assert favourites.favourite_ids(db) == ["qs-12", "qs-03"] and favourites.recent_ids(db) == ["qs-12"]
    window.explorer.refresh()
    note = window.explorer.panel.mine_note
    assert not note.isHidden() and "丽康宝贝儿童摄影（2026-11-01 已下架：已停业）" in note.text()
    window.explorer.panel.favourites_button.click()
    qtbot.waitUntil(lambda: window.explorer.model.rowCount() == 1, timeout=WAIT_MS)
    settle(qtbot, window)
