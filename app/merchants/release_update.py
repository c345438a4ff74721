"""A member's catalogue update: fetch the union's signed index from an https URL or a folder, verify
it, download the deltas it needs (or the snapshot when too far behind), check each file's size and
SHA-256, and apply everything in one transaction. Anything wrong (no network, a tampered or truncated
file, a wrong key) leaves the member's catalogue exactly as it was. Only the catalogue (merchants,
districts) changes: the member's wallet and own data are never touched.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from urllib.parse import urljoin, urlparse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, insert, select
from sqlalchemy import update as sql_update

from app.merchants.curation import derived_columns
from app.merchants.release_keys import (
    BUNDLED_PUBLIC_KEY,
    KEY_ENV,
    KeyError_,
    fingerprint,
    load_public,
    parse_public,
    public_text,
    verify,
)
from app.merchants.releases import FORMAT, INDEX, SIGNATURE, ReleaseError, decode_record
from app.store import Store
from app.store.models import District, Merchant

RELEASE_KEY = "catalogue_release"            # store_meta: the release this catalogue is at
RELEASE_AT_KEY = "catalogue_release_at"      # when it was applied
SOURCE_KEY = "catalogue_release_source"      # where updates come from (URL or folder)
TRUST_KEY = "catalogue_release_public_key"   # the union's public key, set by `catalogue trust`
CHECKED_KEY = "catalogue_release_checked_at"
WHATS_NEW_KEY = "catalogue_whats_new"
SOURCE_ENV = "UNIONCARD_RELEASE_SOURCE"
TIMEOUT_S = 15.0
RETRIES = 3
# Nothing a source sends is read without a bound: the index and its signature are small by nature, a
# release file is exactly its signed size, and every file must arrive before a deadline that allows
# MIN_RATE bytes a second (a server trickling one byte a second is given up on, not waited for).
INDEX_MAX = 512 * 1024
SIGNATURE_MAX = 4096
MIN_RATE = 16 * 1024
DEADLINE_MIN_S = 30.0
STALE_TEMP_S = 24 * 3600.0        # a download folder untouched this long was left by a killed update
TEMP_PREFIX = "unioncard-release-"

Progress = Callable[[str, int, int], None]   # file name, bytes so far, bytes in all


@dataclass(frozen=True)
class WhatsNew:
    """What an update brought: merchant ids added, changed and retired since the last update."""

    from_release: int | None
    to_release: int
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"from": self.from_release, "to": self.to_release, "added": list(self.added),
                "changed": list(self.changed), "retired": list(self.retired)}

    @classmethod
    def from_json(cls, data: dict) -> WhatsNew:
        return cls(data.get("from"), data["to"], tuple(data.get("added", ())), tuple(data.get("changed", ())),
                   tuple(data.get("retired", ())))


@dataclass(frozen=True)
class UpdateResult:
    before: int | None
    after: int | None
    updated: bool
    how: str                                  # "deltas", "snapshot" or "" (already up to date)
    whats_new: WhatsNew | None = None
    downloaded: tuple[str, ...] = field(default=())
    stale_days: int | None = None             # the source has published nothing for this many days, past its promise

    def to_json(self) -> dict:
        return {"before": self.before, "after": self.after, "updated": self.updated, "how": self.how,
                "downloaded": list(self.downloaded), "stale_days": self.stale_days,
                "whats_new": self.whats_new.to_json() if self.whats_new else None}


# ---------------------------------------------------------------- where from, and whom to trust


def trusted_key(store: Store, explicit: Path | None = None) -> Ed25519PublicKey:
    if explicit is not None:
        return load_public(explicit)
    stored = store.get_meta(TRUST_KEY)
    if stored:
        return parse_public(stored, "已设置的发布公钥")
    if os.environ.get(KEY_ENV):
        return load_public(Path(os.environ[KEY_ENV]))
    if BUNDLED_PUBLIC_KEY.is_file():
        return load_public(BUNDLED_PUBLIC_KEY)
    raise ReleaseError("还没有设置工会的发布公钥：请用 unioncard catalogue trust 工会公钥.pub 设置（公钥由工会提供）")


def trust(store: Store, public_key_file: Path) -> str:
    """Remember the union's public key in this database (the member's own)."""
    text = public_text(load_public(public_key_file))
    with store.session() as s:
        store.set_meta(s, TRUST_KEY, text)
    return text


def source_of(store: Store, explicit: str | None = None) -> str:
    source = explicit or store.get_meta(SOURCE_KEY) or os.environ.get(SOURCE_ENV)
    if not source:
        raise ReleaseError("不知道从哪里更新：请用 --from 给出工会发布的网址或文件夹（之后会记住）")
    return source


def _is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def _member(source: str, name: str) -> str:
    """The URL or path of a release file next to the index."""
    if _is_url(source):
        base = source if source.endswith("/") else (source.rsplit("/", 1)[0] + "/" if source.endswith(".json") else source + "/")
        return urljoin(base, name)
    folder = Path(source)
    return str((folder.parent if folder.suffix == ".json" else folder) / name)


# ---------------------------------------------------------------- fetching


# What went wrong with a connection, in the member's words (httpx's class names mean nothing to them).
_CONNECTION_WORDS = (
    ("Timeout", "等待超时"), ("ConnectError", "连不上服务器"), ("RemoteProtocolError", "服务器中途断开"),
    ("ReadError", "读取中断"), ("NetworkError", "网络出错"), ("ProxyError", "代理服务器出错"),
    ("TooManyRedirects", "跳转次数过多"), ("UnsupportedProtocol", "地址的协议不受支持"),
)


def connection_words(exc: Exception) -> str:
    name = exc.__class__.__name__
    return next((words for part, words in _CONNECTION_WORDS if part in name), "网络出错")


def _offline(source: str, exc: Exception) -> ReleaseError:
    where = urlparse(source).netloc if _is_url(source) else source
    return ReleaseError(f"无法连接到 {where}（可能处于离线状态，或地址不对）：{connection_words(exc)}。商户目录保持不变")


def _too_big(name: str, limit: int) -> ReleaseError:
    return ReleaseError(f"{name} 超过 {limit // 1024} KB 的上限：这不是工会发布的文件（或来源出了问题），已停止读取。商户目录保持不变")


def _read_capped(path: Path, limit: int, name: str) -> bytes:
    """A local file, never more than `limit` bytes of it (a link to /dev/zero reads to the limit, not forever)."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise _too_big(name, limit)
    return data


def _deadline(size: int) -> float:
    return time.monotonic() + max(DEADLINE_MIN_S, size / MIN_RATE)


def _too_slow(name: str) -> ReleaseError:
    return ReleaseError(f"{name} 下载太慢（低于每秒 {MIN_RATE // 1024} KB），已放弃：请换个网络或稍后再试。商户目录保持不变")


def fetch_bytes(source: str, name: str) -> bytes:
    """A small file (the index, its signature) from the release source, read up to its bound."""
    limit = SIGNATURE_MAX if name == SIGNATURE else INDEX_MAX
    target = _member(source, name)
    if not _is_url(source):
        try:
            return _read_capped(Path(target), limit, name)
        except FileNotFoundError:
            raise ReleaseError(f"找不到 {target}：这个文件夹里没有工会发布的商户目录") from None
        except OSError as exc:
            raise ReleaseError(f"无法读取 {target}：{exc.strerror or exc}") from None
    import httpx

    deadline = _deadline(limit)
    try:
        with httpx.stream("GET", target, timeout=TIMEOUT_S, follow_redirects=True) as response:
            if response.status_code != 200:
                raise ReleaseError(f"{target} 返回 HTTP {response.status_code}：服务器上没有这个文件")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _too_big(name, limit)
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise _too_big(name, limit)
                if time.monotonic() > deadline:
                    raise _too_slow(name)
            return bytes(data)
    except httpx.HTTPError as exc:
        raise _offline(source, exc) from None


def _download(source: str, entry: dict, folder: Path, progress: Progress | None) -> Path:
    """Download one release file into `folder`, resuming a broken transfer where the server allows,
    retrying a few times; the file must match the index's size and SHA-256 exactly."""
    name, size, digest = entry["file"], int(entry["size"]), entry["sha256"]
    if "/" in name or "\\" in name or name.startswith("."):
        raise ReleaseError(f"索引中的文件名不安全：{name}")
    target = folder / name
    if not _is_url(source):
        try:
            data = _read_capped(Path(_member(source, name)), size, name)
        except FileNotFoundError:
            raise ReleaseError(f"发布文件缺失：{name}") from None
        except ReleaseError:
            raise ReleaseError(f"{name} 比索引中写明的 {size} 字节还大：文件被改动过") from None
        target.write_bytes(data)
        if progress:
            progress(name, len(data), size)
    else:
        import httpx

        last_error: Exception | None = None
        deadline = _deadline(size)   # for the file, across retries
        for attempt in range(RETRIES):
            have = target.stat().st_size if target.exists() else 0
            headers = {"Range": f"bytes={have}-"} if 0 < have < size else {}
            try:
                with httpx.stream("GET", _member(source, name), timeout=TIMEOUT_S, headers=headers,
                                  follow_redirects=True) as response:
                    if response.status_code not in (200, 206):
                        raise ReleaseError(f"{name}：服务器返回 HTTP {response.status_code}")
                    mode = "ab" if response.status_code == 206 else "wb"
                    done = have if mode == "ab" else 0
                    with open(target, mode) as out:
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                            done += len(chunk)
                            if done > size:
                                raise ReleaseError(f"{name} 比索引中写明的 {size} 字节还大：文件被改动过")
                            if time.monotonic() > deadline:
                                raise _too_slow(name)
                            if progress:
                                progress(name, done, size)
                break   # the server finished: what it sent is checked below
            except httpx.HTTPError as exc:     # the connection broke: try again from where it stopped
                last_error = exc
                time.sleep(0.2 * (attempt + 1))
        else:
            raise _offline(source, last_error or RuntimeError("incomplete")) from None
    data = target.read_bytes()
    if len(data) != size:
        raise ReleaseError(f"{name} 不完整（{len(data)} / {size} 字节）：下载中断或文件被截断。商户目录保持不变")
    if hashlib.sha256(data).hexdigest() != digest:
        raise ReleaseError(f"{name} 的校验值与签名的索引不符：文件被改动过，已拒绝。商户目录保持不变")
    return target


def read_verified_index(source: str, key: Ed25519PublicKey) -> dict:
    data = fetch_bytes(source, INDEX)
    signature = fetch_bytes(source, SIGNATURE)
    if not verify(key, data, signature):
        raise ReleaseError("商户目录的签名无法验证：它不是由工会的密钥发布的，或已被改动。已拒绝，商户目录保持不变")
    try:
        index = json.loads(data.decode("utf-8"))
        int(index["latest"])
    except (ValueError, KeyError, TypeError):
        raise ReleaseError("商户目录的索引无法读取（签名正确，但内容不是发布工具写的格式）。商户目录保持不变") from None
    if index.get("format") != FORMAT:
        raise ReleaseError(f"这一版商户目录的格式（{index.get('format')}）较新，请先升级工会卡")
    return index


def plan(index: dict, current: int | None) -> tuple[str, list[dict]]:
    """("deltas", their entries in order) when every step is there and smaller; else the snapshot."""
    latest = int(index["latest"])
    releases = index["releases"]
    snapshot = releases[str(latest)]["snapshot"]
    if current is not None and 0 < current < latest:
        steps = [releases.get(str(n), {}).get("delta") for n in range(current + 1, latest + 1)]
        if all(steps) and all(int(s["from"]) == n for s, n in zip(steps, range(current, latest))) \
                and sum(int(s["size"]) for s in steps) < int(snapshot["size"]):
            return "deltas", steps
    return "snapshot", [snapshot]


# ---------------------------------------------------------------- applying


def _values(record: dict) -> dict:
    state = decode_record(record)
    return {**state, **derived_columns(state), "revision": int(record["revision"]),
            "reviewed_revision": int(record["revision"])}


def _upsert(s, records: list[dict]) -> None:
    ids = [r["id"] for r in records]
    existing = set()
    for i in range(0, len(ids), 500):
        existing |= set(s.scalars(select(Merchant.id).where(Merchant.id.in_(ids[i:i + 500]))))
    new = [{"id": r["id"], **_values(r)} for r in records if r["id"] not in existing]
    if new:
        s.execute(insert(Merchant), new)
    for r in records:
        if r["id"] in existing:
            s.execute(sql_update(Merchant).where(Merchant.id == r["id"]).values(**_values(r)))


def _districts(s, items: list[dict]) -> None:
    for d in items:
        row = s.get(District, d["code"])
        if row is None:
            s.add(District(code=d["code"], name=d["name"], pinyin=d["pinyin"], geometry_wkt=d["wkt"]))
        else:
            row.name, row.pinyin, row.geometry_wkt = d["name"], d["pinyin"], d["wkt"]


def _apply_snapshot(s, snap: dict) -> WhatsNew:
    old = {mid: (rev, retired) for mid, rev, retired in s.execute(
        select(Merchant.id, Merchant.revision, Merchant.retired_on))}
    new = {m["id"]: m for m in snap["merchants"]}
    added = tuple(sorted(new.keys() - old.keys()))
    retired = tuple(sorted(i for i in new.keys() & old.keys() if new[i]["retired_on"] and old[i][1] is None))
    changed = tuple(sorted(i for i in new.keys() & old.keys()
                           if i not in retired and int(new[i]["revision"]) != old[i][0]))
    gone = sorted(old.keys() - new.keys())
    for i in range(0, len(gone), 500):
        s.execute(delete(Merchant).where(Merchant.id.in_(gone[i:i + 500])))
    _districts(s, snap["districts"])
    _upsert(s, snap["merchants"])
    return WhatsNew(None, snap["release"], added, changed, retired)


def _apply_delta(s, delta: dict) -> WhatsNew:
    if delta.get("districts"):
        _districts(s, delta["districts"])
    _upsert(s, delta["added"] + delta["changed"] + delta["retired"])
    if delta["removed"]:
        s.execute(delete(Merchant).where(Merchant.id.in_(delta["removed"])))
    return WhatsNew(delta["from"], delta["to"], tuple(m["id"] for m in delta["added"]),
                    tuple(m["id"] for m in delta["changed"]), tuple(m["id"] for m in delta["retired"]))


def _merge(news: list[WhatsNew], before: int | None) -> WhatsNew:
    added, changed, retired = [], [], []
    for n in news:
        added += n.added
        changed += [i for i in n.changed if i not in added]
        retired += n.retired
    retired_set = set(retired)
    return WhatsNew(before, news[-1].to_release, tuple(dict.fromkeys(i for i in added if i not in retired_set)),
                    tuple(dict.fromkeys(i for i in changed if i not in retired_set)), tuple(dict.fromkeys(retired)))


def current_release(store: Store) -> int | None:
    value = store.get_meta(RELEASE_KEY)
    return int(value) if value else None


def update(store: Store, *, source: str | None = None, key: Ed25519PublicKey | None = None,
           progress: Progress | None = None, now: dt.datetime | None = None) -> UpdateResult:
    """Bring this catalogue to the union's latest release, or leave it exactly as it was."""
    explicit = source is not None
    source = source_of(store, source)
    key = key or trusted_key(store)
    clean_stale_downloads()
    index = read_verified_index(source, key)
    before = current_release(store)
    latest = int(index["latest"])
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    stale = stale_days(index, now)
    if before is not None and before > latest:
        # An old USB stick or a replayed release: signed, but older than what this catalogue holds. Refused,
        # and the source this member updates from stays the one that gave them the newer release.
        raise ReleaseError(f"发布版本比本机旧：{_where(source)} 的最新版是第 {latest} 版，本机已是第 {before} 版。"
                           "可能是旧的U盘或过期的副本；已拒绝，更新来源保持不变")
    if before is not None and before == latest:
        with store.session() as s:
            if explicit or not store.get_meta(SOURCE_KEY):   # --from a new mirror at the same release: remembered
                store.set_meta(s, SOURCE_KEY, source)
            store.set_meta(s, CHECKED_KEY, stamp)
        return UpdateResult(before, before, False, "", stale_days=stale)
    how, entries = plan(index, before)
    try:
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
            return _apply_downloaded(store, source, entries, Path(tmp), progress, how, before, latest, stamp, stale)
    except OSError as exc:   # the temporary folder's disk full or read-only: nothing was applied
        raise ReleaseError(f"无法保存下载的文件（{exc.strerror or exc}）：请腾出磁盘空间后再试。商户目录保持不变") from None


def _apply_downloaded(store: Store, source: str, entries: list[dict], tmp: Path, progress, how: str,
                      before: int | None, latest: int, stamp: str, stale: int | None) -> UpdateResult:
    files = [_download(source, e, tmp, progress) for e in entries]
    try:
        documents = [json.loads(gzip.decompress(f.read_bytes()).decode("utf-8")) for f in files]
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"发布文件无法读取：{exc}。商户目录保持不变") from None
    with store.session() as s:    # one transaction: all of it, or nothing
        news = [(_apply_snapshot if how == "snapshot" else _apply_delta)(s, doc) for doc in documents]
        whats_new = _merge(news, before)
        store.set_meta(s, RELEASE_KEY, str(latest))
        store.set_meta(s, RELEASE_AT_KEY, stamp)
        store.set_meta(s, CHECKED_KEY, stamp)
        store.set_meta(s, SOURCE_KEY, source)
        store.set_meta(s, WHATS_NEW_KEY, json.dumps(whats_new.to_json(), ensure_ascii=False))
    return UpdateResult(before, latest, True, how, whats_new, tuple(e["file"] for e in entries), stale_days=stale)


def _where(source: str) -> str:
    return urlparse(source).netloc if _is_url(source) else source


def stale_days(index: dict, now: dt.datetime) -> int | None:
    """How many days the source has published nothing beyond the period its signed index promises
    (`valid_days`), or None while it is within it (or the index promises nothing)."""
    try:
        published = dt.datetime.fromisoformat(str(index["published_at"]))
        valid = int(index["valid_days"])
    except (KeyError, ValueError, TypeError):
        return None
    if published.tzinfo is None:
        published = published.replace(tzinfo=dt.UTC)
    age = (now - published).days
    return age if age > valid else None


def clean_stale_downloads(now: float | None = None) -> list[Path]:
    """Download folders a killed update left in the temporary folder (older than an hour), removed."""
    import shutil

    removed = []
    now = time.time() if now is None else now
    for folder in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and now - folder.stat().st_mtime > STALE_TEMP_S:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:
            continue
    return removed


def whats_new(store: Store) -> WhatsNew | None:
    value = store.get_meta(WHATS_NEW_KEY)
    return WhatsNew.from_json(json.loads(value)) if value else None


def status(store: Store) -> dict:
    trusted = key_fingerprint(store)   # the key is loaded once
    return {"release": current_release(store), "applied_at": store.get_meta(RELEASE_AT_KEY),
            "checked_at": store.get_meta(CHECKED_KEY), "source": store.get_meta(SOURCE_KEY),
            "key_configured": trusted is not None, "key_fingerprint": trusted}


def release_text(info: dict) -> str:
    """The member's catalogue in words, from status(): 第 3 版（2026-12-01 更新）, or the bundled one."""
    if not info["release"]:
        return "随软件附带的商户（尚未从工会更新）"
    when = (info["applied_at"] or "")[:10]
    return f"第 {info['release']} 版" + (f"（{when} 更新）" if when else "")


def key_fingerprint(store: Store) -> str | None:
    """The fingerprint of the key this app trusts (release_keys.fingerprint), None when none is set."""
    try:
        return fingerprint(trusted_key(store))
    except (ReleaseError, KeyError_):
        return None


def due(store: Store, now: dt.datetime | None = None) -> bool:
    """Whether the once-a-day check at start-up should run (a source is known and a day has passed)."""
    if not (store.get_meta(SOURCE_KEY) or os.environ.get(SOURCE_ENV)):
        return False
    checked = store.get_meta(CHECKED_KEY)
    if not checked:
        return True
    now = now or dt.datetime.now(dt.UTC)
    return now - dt.datetime.fromisoformat(checked) >= dt.timedelta(days=1)
