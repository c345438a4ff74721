"""Files written whole or not at all: flyers, exports, web maps, change logs, releases and keys.

Each writer writes a temporary file beside the target, flushes it to the disk (fsync), and renames it
over the target only when it is complete. A full disk, a read-only file system or a missing
permission raises WriteFailed with a message that says so; the temporary file is removed and the old
target, if there was one, is left exactly as it was.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator


class WriteFailed(OSError):
    """A file could not be written (the disk is full, read-only, or not ours to write): nothing was."""

    def __str__(self) -> str:
        return str(self.strerror)


def describe(exc: OSError, path: Path) -> str:
    """Why `path` could not be written, in words a member or staff can act on."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"磁盘空间不足，未能写入 {path}；没有留下不完整的文件"
    if exc.errno == errno.EROFS:
        return f"{path.parent} 所在的磁盘是只读的，未能写入 {path.name}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"没有权限写入 {path}"
    return f"未能写入 {path}：{exc.strerror or exc}"


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _discard(partial: Path) -> None:
    try:
        partial.unlink(missing_ok=True)
    except OSError:
        pass   # a read-only disk: nothing was created there to remove


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return   # a folder that cannot be opened (Windows): the rename is as durable as the system makes it
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def replacing(path: Path, check=None) -> Iterator[Path]:
    """Yields the temporary path to write; on leaving, `check(partial)` (raises if the file is not what
    it should be), fsync, and the rename over `path`. On any failure the temporary file is removed."""
    path = Path(path)
    partial = partial_path(path)
    try:
        yield partial
        if check is not None:
            check(partial)
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(partial, path)
        _fsync_folder(path.parent)
    except OSError as exc:
        _discard(partial)
        if isinstance(exc, WriteFailed):
            raise
        raise WriteFailed(exc.errno, describe(exc, path)) from exc
    except BaseException:
        _discard(partial)
        raise


@contextmanager
def replacing_together(path: Path) -> Iterator[Path]:
    """Yields a temporary folder beside `path` in which to write the file named `path.name` and the
    files that travel with it (a Shapefile's .shx/.dbf/.prj, a CSV's .csvt). On leaving, each is
    fsynced and renamed beside `path`, the main file last, so a reader never finds the main file
    without its companions; on any failure none is renamed and the folder is removed."""
    import shutil
    import tempfile

    path = Path(path)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    except OSError as exc:
        raise WriteFailed(exc.errno, describe(exc, path)) from exc
    try:
        yield folder
        written = sorted(folder.iterdir(), key=lambda f: f.name == path.name)   # the main file last
        if not any(f.name == path.name for f in written):
            raise FileNotFoundError(f"{path.name} was not written")
        for f in written:
            with open(f, "rb+") as handle:
                os.fsync(handle.fileno())
        for f in written:
            os.replace(f, path.with_name(f.name))
        _fsync_folder(path.parent)
    except OSError as exc:
        if isinstance(exc, WriteFailed):
            raise
        raise WriteFailed(exc.errno, describe(exc, path)) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_bytes(path: Path, data: bytes) -> Path:
    with replacing(path) as partial:
        partial.write_bytes(data)
    return Path(path)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


def create_new(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """Write a file that must not exist yet (a private key), readable by its owner only: complete on
    disk before it appears under its name, and never over an existing one (FileExistsError)."""
    path = Path(path)
    partial = partial_path(path)
    _discard(partial)   # a stale one, whoever made it, is not reused: its mode or its link could be anyone's
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(partial, path)   # fails if the name exists: the old file is never replaced
        _fsync_folder(path.parent)
    except FileExistsError:
        raise
    except OSError as exc:
        raise WriteFailed(exc.errno, describe(exc, path)) from exc
    finally:
        _discard(partial)
    return path
