"""Catalogue releases end to end: staff publish from the shared catalogue (SQLite and PostgreSQL), a
real HTTP server on this machine serves the files, members' SQLite catalogues update; and every way
an update can go wrong leaves the member's catalogue exactly as it was."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from app.merchants import release_keys, release_update, review
from app.merchants.curation import add_merchant, load, retire, save_changes
from app.merchants.fields import TRACKED_FIELDS, MerchantRecord
from app.merchants.releases import ReleaseError, publish
from app.seed import open_seeded_store
from app.store.models import Merchant
from app.wallet.service import Wallet
from widgets.launcher import main


class ReleaseServer(SimpleHTTPRequestHandler):
    """Serves a folder, with byte ranges (for resume), and can be told to break transfers."""

    fail_times = 0          # how many more downloads of a .gz file to cut off half way

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        ranged = self.headers.get("Range")
        if ranged and ranged.startswith("bytes="):
            start = int(ranged[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if path.suffix == ".gz" and type(self).fail_times > 0:
            type(self).fail_times -= 1
            self.wfile.write(body[: len(body) // 2])   # the server dies mid-download
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


@pytest.fixture
def keys(tmp_path):
    private, public = release_keys.generate(tmp_path / "keys")
    return release_keys.load_private(private), public


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    handler = type("Handler", (ReleaseServer,), {"fail_times": 0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}/", handler
    httpd.shutdown()
    httpd.server_close()


def member(tmp_path, name, public_key):
    store, districts = open_seeded_store(f"sqlite:///{tmp_path / name}.sqlite")
    release_update.trust(store, public_key)
    return store


def catalogue_rows(store) -> dict:
    """Everything members see of each merchant."""
    columns = [getattr(Merchant, f) for f in ("id", *TRACKED_FIELDS, "revision", "rules_json", "max_saving",
                                              "name_pinyin")]
    with store.session() as s:
        return {row[0]: tuple(row) for row in s.execute(select(*columns))}


def release_steps(staff, districts) -> dict:
    """What staff change before each release (1 is the seed as it is): edits, additions, a retirement,
    a move. Each change is approved before its release."""
    def edit(mid, changes, who):
        return save_changes(staff, districts, mid, load(staff, mid).revision, changes, author=who)

    return {
        2: lambda: edit("qs-01", {"offer": "8.8折"}, "张三"),
        3: lambda: add_merchant(staff, districts, MerchantRecord("n-1", "老通城豆皮", "餐饮", "420107", 114.36, 30.62,
                                                                offer="凭工会卡消费享受九折优惠"), author="张三"),
        4: lambda: retire(staff, districts, "qs-11", load(staff, "qs-11").revision, reason="已停业",
                          on=dt.date(2026, 11, 1), author="李四"),
        5: lambda: edit("qs-08", {"phone": "027-86861234"}, "李四"),
        6: lambda: edit("n-1", {"lon": 114.37}, "张三"),
        7: lambda: add_merchant(staff, districts, MerchantRecord("n-2", "武昌鱼馆", "餐饮", "420107", 114.39, 30.63),
                                author="张三"),
    }


def publish_releases(staff, districts, key, folder, first, last) -> dict:
    steps = release_steps(staff, districts)
    done = {}
    for n in range(first, last + 1):
        if n in steps:
            assert steps[n]().saved, f"the change before release {n} was refused"
            review.approve(staff, None, author="王审核")
        done[n] = publish(staff, folder, key)
    return done


def test_members_update_by_deltas_and_end_equal_to_a_fresh_install(db_url, tmp_path, keys, server):
    key, public = keys
    folder, url, _ = server
    staff, districts = open_seeded_store(db_url)
    publish_releases(staff, districts, key, folder, 1, 3)

    early = member(tmp_path, "early", public)
    first = release_update.update(early, source=url)
    assert (first.after, first.how) == (3, "snapshot")
    assert "n-1" in catalogue_rows(early)

    published = publish_releases(staff, districts, key, folder, 4, 7)
    assert [published[n].release for n in (4, 5, 6, 7)] == [4, 5, 6, 7]
    later = release_update.update(early, source=url)
    assert (later.before, later.after, later.how) == (3, 7, "deltas")
    assert later.downloaded == ("delta-3-4.json.gz", "delta-4-5.json.gz", "delta-5-6.json.gz", "delta-6-7.json.gz")
    assert later.whats_new.added == ("n-2",) and later.whats_new.retired == ("qs-11",)
    assert set(later.whats_new.changed) == {"qs-08", "n-1"}

    fresh = member(tmp_path, "fresh", public)
    assert release_update.update(fresh, source=url).how == "snapshot"
    assert catalogue_rows(early) == catalogue_rows(fresh)
    assert load(early, "qs-11").retired and load(early, "qs-08").state["phone"] == "027-86861234"
    again = release_update.update(early)   # the source is remembered
    assert not again.updated and again.after == 7
    staff.close()


def test_only_reviewed_changes_are_released(db_url, tmp_path, keys):
    key, _ = keys
    staff, districts = open_seeded_store(db_url)
    folder = tmp_path / "pub"
    save_changes(staff, districts, "qs-02", 1, {"offer": "8折"}, author="张三")
    review.approve(staff, ["qs-02"], author="王审核")
    save_changes(staff, districts, "qs-02", 2, {"offer": "1折（打错了）"}, author="张三")   # not yet reviewed
    add_merchant(staff, districts, MerchantRecord("n-9", "未审核的新店", "餐饮", "420107", 114.36, 30.62), author="张三")
    publish(staff, folder, key)
    snapshot = json.loads(gzip.decompress((folder / "snapshot-1.json.gz").read_bytes()))
    released = {m["id"]: m for m in snapshot["merchants"]}
    assert released["qs-02"]["offer"] == "8折" and released["qs-02"]["revision"] == 2
    assert "n-9" not in released
    assert [p.id for p in review.pending(staff)] == ["n-9", "qs-02"]
    staff.close()


@pytest.fixture
def at_release_3(tmp_path, keys, server):
    """A member at release 3 (with a wallet entry of their own), and releases up to 7 on the server."""
    key, public = keys
    folder, url, handler = server
    staff, districts = open_seeded_store(f"sqlite:///{tmp_path / 'staff.sqlite'}")
    publish_releases(staff, districts, key, folder, 1, 3)
    store = member(tmp_path, "member", public)
    release_update.update(store, source=url)
    Wallet(store, districts).deposit(100_00, dt.date(2026, 11, 1))
    publish_releases(staff, districts, key, folder, 4, 7)
    staff.close()
    yield store, folder, url, handler, public
    store.close()


def unchanged(store, before):
    assert release_update.current_release(store) == 3
    assert catalogue_rows(store) == before


def test_a_tampered_byte_is_refused(at_release_3):
    store, folder, url, _, _ = at_release_3
    before = catalogue_rows(store)
    target = folder / "delta-5-6.json.gz"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(ReleaseError, match="校验值与签名的索引不符"):
        release_update.update(store)
    unchanged(store, before)


def test_a_forged_index_or_a_wrong_key_is_refused(at_release_3, tmp_path):
    store, folder, url, _, _ = at_release_3
    before = catalogue_rows(store)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    index["releases"]["7"]["delta"]["sha256"] = "0" * 64
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(ReleaseError, match="签名无法验证"):
        release_update.update(store)
    unchanged(store, before)
    _, other = release_keys.generate(tmp_path / "other")
    with pytest.raises(ReleaseError, match="签名无法验证"):
        release_update.update(store, key=release_keys.load_public(other))
    unchanged(store, before)


def test_a_truncated_file_is_refused(at_release_3):
    store, folder, _, _, _ = at_release_3
    before = catalogue_rows(store)
    target = folder / "delta-6-7.json.gz"
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(ReleaseError, match="不完整"):
        release_update.update(store)
    unchanged(store, before)


def test_a_server_that_dies_mid_download_leaves_the_catalogue_alone(at_release_3):
    store, _, _, handler, _ = at_release_3
    before = catalogue_rows(store)
    handler.fail_times = 100
    with pytest.raises(ReleaseError, match="无法连接|不完整"):
        release_update.update(store)
    unchanged(store, before)


def test_a_transfer_broken_once_resumes(at_release_3):
    store, _, _, handler, _ = at_release_3
    handler.fail_times = 1
    result = release_update.update(store)
    assert result.updated and result.after == 7


def test_offline_says_so_and_changes_nothing(at_release_3, capsys):
    store, _, _, _, _ = at_release_3
    before = catalogue_rows(store)
    with pytest.raises(ReleaseError, match="离线"):
        release_update.update(store, source="http://127.0.0.1:9/")   # nothing listens on the discard port
    unchanged(store, before)
    code = main(["--db", store.url, "catalogue", "update", "--from", "http://127.0.0.1:9/"])
    err = capsys.readouterr().err
    assert code == 1 and "离线" in err and "连不上服务器" in err
    assert "Error" not in err                      # httpx's class names are no words for a member (issue 27)


def test_an_update_never_touches_the_members_wallet(at_release_3):
    store, _, _, _, _ = at_release_3
    districts = open_seeded_store(store.url)[1]
    before = Wallet(store, districts).balances()
    release_update.update(store)
    assert Wallet(store, districts).balances() == before == {"bank": 100_00, "ecash": 0, "transit": 0}


def test_a_third_party_verifies_a_release_with_openssl_and_the_pem_key(tmp_path, capsys):
    """keygen also writes the public key as PEM: anyone can check a release's signature with openssl,
    without this program, and a changed index fails the same check."""
    import base64
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    assert main(["catalogue", "keygen", "--out", str(tmp_path / "keys")]) == 0
    release = tmp_path / "release"
    assert main(["--db", f"sqlite:///{tmp_path / 'staff.sqlite'}", "catalogue", "publish", "--out", str(release),
                 "--key", str(tmp_path / "keys" / "union.key")]) == 0
    capsys.readouterr()
    pem = tmp_path / "keys" / "union.pem"
    assert pem.read_text(encoding="ascii").startswith("-----BEGIN PUBLIC KEY-----")
    signature = tmp_path / "sig.bin"
    signature.write_bytes(base64.b64decode((release / "index.json.sig").read_bytes()))

    def openssl_verifies(index) -> bool:
        done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pem), "-rawin",
                               "-in", str(index), "-sigfile", str(signature)], capture_output=True, text=True)
        return done.returncode == 0 and "Signature Verified Successfully" in done.stdout

    assert openssl_verifies(release / "index.json")
    forged = tmp_path / "forged.json"
    forged.write_bytes((release / "index.json").read_bytes().replace(b'"latest": 1', b'"latest": 9'))
    assert forged.read_bytes() != (release / "index.json").read_bytes()
    assert not openssl_verifies(forged)


def test_publish_and_update_from_the_command_line(tmp_path, capsys, server):
    folder, url, _ = server
    staff_db = f"sqlite:///{tmp_path / 'staff.sqlite'}"
    member_db = f"sqlite:///{tmp_path / 'member.sqlite'}"

    def cli(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    assert cli("catalogue", "keygen", "--out", str(tmp_path / "keys"))[0] == 0
    assert cli("catalogue", "keygen", "--out", str(tmp_path / "keys"))[0] == 2, "never overwrites a key"
    key = str(tmp_path / "keys" / "union.key")
    assert cli("--db", staff_db, "catalogue", "publish", "--out", str(folder), "--key", key)[0] == 0
    assert cli("--db", staff_db, "merchants", "edit", "qs-06", "--offer", "9.5折")[0] == 0
    code, out, _ = cli("--db", staff_db, "catalogue", "review", "--json")
    assert [p["id"] for p in json.loads(out)["pending"]] == ["qs-06"]
    assert cli("--db", staff_db, "catalogue", "approve", "--all")[0] == 0
    code, out, _ = cli("--db", staff_db, "catalogue", "publish", "--out", str(folder), "--key", key, "--json")
    assert json.loads(out)["release"] == 2 and json.loads(out)["changed"] == 1

    code, _, err = cli("--db", member_db, "catalogue", "update", "--from", url)
    assert code == 1 and "发布公钥" in err
    assert cli("--db", member_db, "catalogue", "trust", str(tmp_path / "keys" / "union.pub"))[0] == 0
    code, out, _ = cli("--db", member_db, "catalogue", "update", "--from", url)
    assert code == 0 and "第 2 版" in out and "中百仓储" in out
    code, out, _ = cli("--db", member_db, "catalogue", "status", "--json")
    status = json.loads(out)
    assert status["release"] == 2 and status["source"] == url and status["whats_new"]["changed"] == ["qs-06"]
