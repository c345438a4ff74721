"""A release source that lies, replays or stalls (issue 30): every download is bounded in size and time,
an older signed release is refused without switching the member's source, a source past its promised
period says so, and a killed update's download folder does not stay behind. Real HTTP servers on
127.0.0.1, started here."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.merchants import release_update
from app.merchants.releases import ReleaseError, publish
from app.seed import open_seeded_store
from test_releases import keys, member, publish_releases, server  # noqa: F401  (fixtures)
from widgets.launcher import main


@pytest.fixture
def staff(tmp_path):
    store, districts = open_seeded_store(f"sqlite:///{tmp_path / 'staff.sqlite'}")
    yield store, districts
    store.close()


def released(keys, server, staff, last: int) -> tuple[Path, str, object]:
    """Releases 1 to `last` published on the test server: (its folder, its URL, the union's public key)."""
    key, public = keys
    folder, url, _ = server
    store_staff, districts = staff
    publish_releases(store_staff, districts, key, folder, 1, last)
    return folder, url, public


def test_an_older_signed_release_is_refused_and_the_source_stays(tmp_path, keys, server, staff, capsys):
    key, public = keys
    folder, url, _ = server
    store_staff, districts = staff
    publish_releases(store_staff, districts, key, folder, 1, 3)
    old_copy = tmp_path / "old-usb-stick"
    shutil.copytree(folder, old_copy)          # release 3, as a member's old USB stick still holds it
    publish_releases(store_staff, districts, key, folder, 4, 5)
    store = member(tmp_path, "member", public)
    assert release_update.update(store, source=url).after == 5

    code = main(["--db", store.url, "catalogue", "update", "--from", str(old_copy)])
    err = capsys.readouterr().err
    assert code == 1 and "发布版本比本机旧" in err and "第 3 版" in err and "第 5 版" in err
    assert release_update.status(store)["source"] == url        # the real source is still the one checked
    assert release_update.current_release(store) == 5
    publish_releases(store_staff, districts, key, folder, 6, 6)
    assert release_update.update(store).after == 6               # and the next release still arrives
    store.close()


def test_a_source_past_its_promise_warns_the_member(tmp_path, keys, server, staff, capsys):
    key, public = keys
    folder, url, _ = server
    store_staff, _districts = staff
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
    publish(store_staff, folder, key, now=long_ago, valid_days=30)
    store = member(tmp_path, "member", public)
    assert main(["--db", store.url, "catalogue", "update", "--from", url]) == 0
    captured = capsys.readouterr()
    assert "已有 45 天没有发布" in captured.err and "已更新" in captured.out
    assert main(["--db", store.url, "catalogue", "update"]) == 0     # up to date, still warned
    assert "已有 45 天没有发布" in capsys.readouterr().err
    store.close()


def test_publish_refuses_an_impossible_validity(tmp_path, keys, staff, capsys):
    store_staff, _ = staff
    key_file = tmp_path / "keys" / "union.key"
    code = main(["--db", store_staff.url, "catalogue", "publish", "--out", str(tmp_path / "out"),
                 "--key", str(key_file), "--valid-days", "0"])
    assert code == 2 and "--valid-days" in capsys.readouterr().err


class Hostile(BaseHTTPRequestHandler):
    """index.json as a hostile server sends it: a huge declared length, an endless body, or a trickle."""

    mode = "huge"
    real: Path | None = None   # a real release folder, for the files the test does not attack

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.lstrip("/")
        try:
            if self.mode == "huge" and name == "index.json":
                self.send_response(200)
                self.send_header("Content-Length", "2147483648")
                self.end_headers()
                self.wfile.write(b"{" * 65536)
            elif self.mode == "endless" and name == "index.json":
                self.send_response(200)
                self.end_headers()          # no length: the body goes on until the client stops reading
                while True:
                    self.wfile.write(b" " * 65536)
            elif self.mode == "trickle" and name.endswith(".gz"):
                data = (self.real / name).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                data = (self.real / name).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, FileNotFoundError):
            pass


@pytest.fixture
def hostile(tmp_path, keys, staff):
    key, public = keys
    store_staff, districts = staff
    folder = tmp_path / "www"
    publish_releases(store_staff, districts, key, folder, 1, 1)
    handler = type("H", (Hostile,), {"real": folder})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False   # a handler still trickling to a client that left is not waited for
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    store = member(tmp_path, "member", public)
    yield store, f"http://127.0.0.1:{httpd.server_address[1]}/", handler
    httpd.shutdown()
    httpd.server_close()
    store.close()


@pytest.mark.parametrize("mode", ["huge", "endless"])
def test_an_index_that_never_ends_is_cut_off_at_its_bound(hostile, mode):
    store, url, handler = hostile
    handler.mode = mode
    started = time.monotonic()
    with pytest.raises(ReleaseError, match="上限"):
        release_update.update(store, source=url)
    assert time.monotonic() - started < 10
    assert release_update.current_release(store) is None and release_update.status(store)["source"] is None


@pytest.mark.slow
def test_a_server_trickling_bytes_is_given_up_on(hostile, monkeypatch):
    store, url, handler = hostile
    handler.mode = "trickle"
    monkeypatch.setattr(release_update, "DEADLINE_MIN_S", 1.0)   # the bound, made small enough to test
    started = time.monotonic()
    with pytest.raises(ReleaseError, match="下载太慢"):
        release_update.update(store, source=url)
    assert time.monotonic() - started < 15
    assert release_update.current_release(store) is None


def test_a_folder_index_that_is_a_device_is_read_to_its_bound(tmp_path, keys, staff):
    key, public = keys
    store_staff, districts = staff
    folder = tmp_path / "stick"
    publish_releases(store_staff, districts, key, folder, 1, 1)
    (folder / "index.json").unlink()
    os.symlink("/dev/zero", folder / "index.json")
    store = member(tmp_path, "member", public)
    with pytest.raises(ReleaseError, match="上限"):
        release_update.update(store, source=str(folder))
    store.close()


def test_a_killed_updates_download_folder_is_cleaned_at_the_next_update(tmp_path, keys, server, staff):
    _folder, url, public = released(keys, server, staff, 1)
    left = Path(tempfile.mkdtemp(prefix=release_update.TEMP_PREFIX))
    (left / "snapshot-1.json.gz").write_bytes(b"half a download")
    old = time.time() - 2 * release_update.STALE_TEMP_S
    os.utime(left, (old, old))
    recent = Path(tempfile.mkdtemp(prefix=release_update.TEMP_PREFIX))   # another update, running now
    store = member(tmp_path, "member", public)
    release_update.update(store, source=url)
    assert not left.exists() and recent.exists()
    recent.rmdir()
    store.close()


def test_a_new_mirror_of_the_same_release_is_remembered(tmp_path, keys, server, staff):
    folder, url, public = released(keys, server, staff, 2)
    mirror = tmp_path / "mirror"
    shutil.copytree(folder, mirror)             # the union moved its releases; the member points at the new place
    store = member(tmp_path, "member", public)
    release_update.update(store, source=url)
    result = release_update.update(store, source=str(mirror))
    assert not result.updated and release_update.status(store)["source"] == str(mirror)
    store.close()


def test_a_full_temporary_disk_is_a_refusal_not_a_traceback(tmp_path, keys, staff, monkeypatch):
    import subprocess

    key, public = keys
    store_staff, districts = staff
    folder = tmp_path / "stick"
    publish_releases(store_staff, districts, key, folder, 1, 1)
    small = tmp_path / "tmpfs"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(small)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(small))   # where the download goes
        store = member(tmp_path, "member", public)
        with pytest.raises(ReleaseError, match="无法保存下载的文件"):
            release_update.update(store, source=str(folder))
        assert release_update.current_release(store) is None
        store.close()
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
