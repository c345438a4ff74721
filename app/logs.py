"""The app's log: a rotating file in the platform's user log folder (~/.local/state/unioncard/log on
Linux), so that what went wrong in a window started from the menu — a map-page script error, an
exception in a worker thread — is kept for 帮助 → 复制诊断信息 and for whoever helps the member.

Long digit runs (card, phone and ID numbers) are masked before anything is written: the log is a file
a member may paste to someone, and no full personal number is kept in any file.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import re
import sys
import threading
from pathlib import Path

import platformdirs

APP = "unioncard"
LOG_NAME = "unioncard.log"
LOG_BYTES = 1_000_000   # per file; with the backups, the log never takes more than 5 MB
LOG_BACKUPS = 4
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"
# 11 to 19 digits (a mobile, a bank card, an ID number with its check letter): all but the last four masked
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(\d{7,15})(\d{4}[\dXx]?)(?!\d)")


def log_folder() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def log_file() -> Path:
    return log_folder() / LOG_NAME


def mask_numbers(text: str) -> str:
    return _PERSONAL_NUMBER.sub(lambda m: "*" * len(m.group(1)) + m.group(2), text)


class _Masking(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


_handler: logging.Handler | None = None


def start_logging(level: int = logging.INFO) -> Path | None:
    """Send the app's log records (and uncaught exceptions, in any thread) to the log file; idempotent.
    Returns the file, or None when the folder cannot be written (a read-only home): the app runs on."""
    global _handler
    if _handler is not None:
        return Path(_handler.baseFilename)   # type: ignore[attr-defined]
    try:
        log_folder().mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file(), maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                                       encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(_Masking(_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    _handler = handler
    _catch_uncaught()
    logging.getLogger(APP).info("started: %s", _versions())
    return log_file()


def stop_logging() -> None:
    """Detach and close the log file and put the exception hooks back (tests; the app leaves it open
    until it exits)."""
    global _handler, _previous_hooks
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
    if _previous_hooks is not None:
        sys.excepthook, threading.excepthook = _previous_hooks
        _previous_hooks = None


_previous_hooks = None


def _catch_uncaught() -> None:
    """Uncaught exceptions — in the main thread, in Qt's slots (PySide6 hands them to sys.excepthook) and
    in worker threads — are logged, then shown as before."""
    global _previous_hooks
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook
    _previous_hooks = (previous_hook, previous_thread_hook)
    log = logging.getLogger(APP)

    def hook(kind, value, tb):
        if not issubclass(kind, KeyboardInterrupt):
            log.error("uncaught exception", exc_info=(kind, value, tb))
        previous_hook(kind, value, tb)

    def thread_hook(args):
        if args.exc_type is not SystemExit:
            log.error("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                      exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread_hook(args)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def _versions() -> str:
    from app.credits import version

    return f"工会卡 {version()}, Python {platform.python_version()}, {platform.platform()}"


def recent_lines(count: int = 200) -> list[str]:
    """The last `count` lines of the log (the current file, then its last backup if it is short)."""
    lines: list[str] = []
    for path in (log_file().with_name(LOG_NAME + ".1"), log_file()):
        try:
            lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    return lines[-count:]


def diagnostics(extra: dict[str, str] | None = None, count: int = 200) -> str:
    """What a member pastes to the union's helpdesk: versions, where the data and the log are, and
    the log's last lines (personal numbers masked)."""
    head = [f"工会卡诊断信息：{_versions()}", f"日志文件：{log_file()}"]
    head += [f"{k}：{v}" for k, v in (extra or {}).items()]
    tail = recent_lines(count)
    body = [f"—— 日志最近 {len(tail)} 行 ——", *tail] if tail else ["（日志为空）"]
    return mask_numbers("\n".join(head + body)) + "\n"
