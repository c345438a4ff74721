"""The app's log (issue 28): a rotating file in the user's log folder that keeps map-page script errors and
worker exceptions, with personal numbers masked, and 帮助 → 复制诊断信息 that hands it on."""

from __future__ import annotations

import logging
import threading

import pytest

from app import logs


@pytest.fixture
def logging_on():
    path = logs.start_logging()
    yield path
    logs.stop_logging()


def test_the_log_lives_in_the_user_log_folder_and_masks_personal_numbers(logging_on, tmp_path_factory):
    assert logging_on is not None and logging_on.parent == logs.log_folder()
    assert "xdg-state" in str(logging_on)            # the platform's state/log folder (XDG), not the data folder
    logging.getLogger("unioncard.wallet").warning("支付失败：卡号 6231234567890123456，手机 13812345678")
    text = logging_on.read_text(encoding="utf-8")
    assert "支付失败" in text and "started: 工会卡" in text
    assert "6231234567890123456" not in text and "13812345678" not in text
    assert "***************3456" in text and "*******5678" in text


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")   # pytest's hook sees it too
def test_an_exception_in_a_worker_thread_is_kept_with_its_traceback(logging_on):
    def work():
        raise ValueError("目录索引读取失败")

    worker = threading.Thread(target=work, name="catalogue-index")
    worker.start()
    worker.join()
    text = logging_on.read_text(encoding="utf-8")
    assert "uncaught exception in thread catalogue-index" in text
    assert "Traceback" in text and "ValueError: 目录索引读取失败" in text


def test_the_log_rotates_and_never_grows_past_its_budget(logging_on):
    line = "x" * 1000
    log = logging.getLogger("unioncard.test")
    for _ in range(7000):   # 7 MB of records
        log.info(line)
    files = sorted(logs.log_folder().glob(logs.LOG_NAME + "*"))
    assert len(files) == logs.LOG_BACKUPS + 1
    assert sum(f.stat().st_size for f in files) <= (logs.LOG_BACKUPS + 1) * logs.LOG_BYTES + 2000
    assert len(logs.recent_lines(50)) == 50


def test_a_read_only_log_folder_does_not_stop_the_app(tmp_path, monkeypatch):
    blocked = tmp_path / "state"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    assert logs.start_logging() is None
    logs.stop_logging()


@pytest.mark.gui
def test_copy_diagnostics_holds_a_map_page_script_error(window, qtbot, logging_on):
    from PySide6.QtGui import QGuiApplication

    window.explorer.map.page().runJavaScript("setTimeout(() => { throw new Error('测试：地图脚本出错'); }, 0); true")
    qtbot.waitUntil(lambda: "测试：地图脚本出错" in logging_on.read_text(encoding="utf-8"), timeout=10000)
    window.explorer.map.page().console.clear()   # the error was ours: the window's own checks stay clean
    text = window.copy_diagnostics()
    assert QGuiApplication.clipboard().text() == text
    assert text.startswith("工会卡诊断信息") and "本机文件" in text and "测试：地图脚本出错" in text
    assert "已复制诊断信息" in window.statusBar().currentMessage()
