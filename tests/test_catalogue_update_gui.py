"""Catalogue updates in the app: the start-up check runs in the background and never blocks the
window; 帮助 → 更新商户目录 shows progress, says when offline, and lists what changed."""

from __future__ import annotations

import pytest
from qt_helpers import WAIT_MS, close, settle

from app.merchants import release_keys, release_update, review
from app.merchants.curation import add_merchant, load, retire, save_changes
from app.merchants.fields import MerchantRecord
from app.merchants.releases import publish
from app.seed import open_seeded_store
from widgets.fonts import install_cjk_font
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def published(tmp_path):
    """Release 1 (the seed) and release 2 (an edit, a new merchant, a retirement) in a folder."""
    private, public = release_keys.generate(tmp_path / "keys")
    key = release_keys.load_private(private)
    staff, districts = open_seeded_store(f"sqlite:///{tmp_path / 'staff.sqlite'}")
    folder = tmp_path / "release"
    publish(staff, folder, key)
    save_changes(staff, districts, "qs-05", 1, {"offer": "全场9折"}, author="张三")
    add_merchant(staff, districts, MerchantRecord("n-1", "老通城豆皮", "餐饮", "420107", 114.39, 30.63), author="张三")
    retire(staff, districts, "qs-12", 1, reason="已停业", on=__import__("datetime").date(2026, 11, 1), author="张三")
    review.approve(staff, None, author="王审核")
    publish(staff, folder, key)
    staff.close()
    return folder, public


def open_window(qtbot, qapp, store, districts, settings):
    install_cjk_font(qapp)
    w = MainWindow(store, districts, settings=settings)
    w.show()
    settle(qtbot, w)
    return w


def test_the_start_up_check_updates_in_the_background(qtbot, qapp, tmp_path, published, settings):
    folder, public = published
    store, districts = open_seeded_store(f"sqlite:///{tmp_path / 'member.sqlite'}")
    release_update.trust(store, public)
    with store.session() as s:   # a member who updated from this folder before, more than a day ago
        store.set_meta(s, release_update.SOURCE_KEY, str(folder))
        store.set_meta(s, release_update.CHECKED_KEY, "2026-01-01T00:00:00+00:00")
    w = open_window(qtbot, qapp, store, districts, settings)
    assert w.explorer.model.rowCount() in (12, 13)   # the window is up and usable while it runs
    qtbot.waitUntil(lambda: release_update.current_release(store) == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "已更新到第 2 版" in w.statusBar().currentMessage(), timeout=WAIT_MS)
    assert "新增 1，变更 1，下架 1" in w.statusBar().currentMessage()
    assert w.explorer.record_of("n-1") is not None and w.explorer.record_of("qs-12") is None
    assert not release_update.due(store), "at most once a day"
    close(w)
    store.close()


def test_update_from_the_help_menu_shows_progress_and_whats_new(qtbot, qapp, tmp_path, published, settings):
    folder, public = published
    store, districts = open_seeded_store(f"sqlite:///{tmp_path / 'member.sqlite'}")
    release_update.trust(store, public)
    w = open_window(qtbot, qapp, store, districts, settings)
    dialog = w.update_dialog()
    dialog.source.setText("http://127.0.0.1:9/")     # offline: nothing listens there
    with qtbot.waitSignal(w.updates.failed, timeout=WAIT_MS):
        dialog.start_button.click()
    assert "离线" in dialog.message.text() and release_update.current_release(store) is None
    dialog.source.setText(str(folder))
    with qtbot.waitSignal(dialog.updated, timeout=WAIT_MS):
        dialog.start_button.click()
    assert "已更新到第 2 版" in dialog.message.text()
    items = [dialog.news.item(i).text() for i in range(dialog.news.count())]
    assert items == ["新增 · 老通城豆皮", "变更 · 武商量贩", "下架 · 丽康宝贝儿童摄影"]
    dialog.news.itemDoubleClicked.emit(dialog.news.item(0))
    assert w.explorer.selected_id() == "n-1"
    assert load(store, "qs-05").state["offer"] == "全场9折"
    dialog.deleteLater()
    close(w)
    store.close()


def test_first_run_says_where_the_data_is_then_trusts_the_key_and_fetches(qtbot, qapp, tmp_path, published, settings):
    from PySide6.QtWidgets import QDialogButtonBox, QLabel

    from widgets.catalogue_update import UpdateDialog
    from widgets.first_run import first_run_due

    folder, public = published
    store, districts = open_seeded_store(f"sqlite:///{tmp_path / 'member.sqlite'}")
    w = open_window(qtbot, qapp, store, districts, settings)
    assert first_run_due(settings)
    dialog = w.first_run_dialog()
    dialog.show()
    text = dialog.findChildren(QLabel)[0].text()
    assert str(tmp_path / "member.sqlite") in text and settings.fileName() in text
    assert dialog.key_status.text() == "尚未设置" and not dialog.fetch_button.isEnabled()

    # A file that is not a key is refused, and nothing is trusted.
    bad = tmp_path / "not-a-key.pub"
    bad.write_text("hello", encoding="utf-8")
    assert not dialog.trust_key_file(bad)
    assert "没有采用这个公钥" in dialog.message.text() and dialog.key_status.text() == "尚未设置"

    assert dialog.trust_key_file(public)
    assert dialog.key_status.text().startswith("已信任（指纹 ")
    assert not dialog.fetch_button.isEnabled()   # no source yet
    dialog.source.setText(str(folder))
    assert dialog.fetch_button.isEnabled()
    with qtbot.waitSignal(dialog.fetchRequested, timeout=WAIT_MS) as fetched:
        dialog.fetch_button.click()
    assert fetched.args == [str(folder)]
    qtbot.waitUntil(lambda: release_update.current_release(store) == 2, timeout=WAIT_MS)
    for child in w.findChildren(UpdateDialog):
        qtbot.waitUntil(lambda child=child: child.start_button.isEnabled(), timeout=WAIT_MS)
        child.close()

    dialog.findChild(QDialogButtonBox).buttons()[0].click()   # 开始使用
    assert not first_run_due(settings), "shown once"
    close(w)
    store.close()
