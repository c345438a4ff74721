"""Catalogue releases: what the union publishes for members' apps, as static files any web server or
USB stick can carry.

Release N is three kinds of file in one folder:
- `snapshot-N.json.gz`: every released merchant (retired ones too, marked) and the districts;
- `delta-(N-1)-N.json.gz`: what changed since N-1 (added, changed, retired, removed; the districts
  only when their data changed);
- `index.json`: the latest release number and, for every release, its files with size and SHA-256;
  `index.json.sig` is the union's Ed25519 signature of the index, so it vouches for every file.

A release holds each merchant as staff last reviewed it (app.merchants.review), read in one
consistent transaction so it never mixes two states of the catalogue.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.merchants.curation import revision_changes, row_state
from app.merchants.fields import TRACKED_FIELDS, decode_value, encode_value
from app.merchants.release_keys import sign
from app.store import Store
from app.store.models import District, Merchant, MerchantRevision
from app.safe_write import write_bytes

FORMAT = 1
INDEX, SIGNATURE = "index.json", "index.json.sig"


class ReleaseError(ValueError):
    """A release that cannot be made or used, said in plain Chinese."""


@dataclass(frozen=True)
class PublishResult:
    release: int
    folder: Path
    merchants: int
    added: int
    changed: int
    retired: int
    removed: int
    files: tuple[str, ...]

    def to_json(self) -> dict:
        return {"release": self.release, "folder": str(self.folder), "merchants": self.merchants,
                "added": self.added, "changed": self.changed, "retired": self.retired, "removed": self.removed,
                "files": list(self.files)}


def merchant_record(merchant_id: str, state: dict, revision: int) -> dict:
    """One merchant as a release carries it: every tracked field (dates as ISO text) and its revision."""
    return {"id": merchant_id, "revision": revision, **{f: encode_value(f, state.get(f)) for f in TRACKED_FIELDS}}


def decode_record(record: dict) -> dict:
    """A release's merchant record back as tracked field values (dates as dates)."""
    return {f: decode_value(f, record.get(f)) for f in TRACKED_FIELDS}


def districts_payload(rows) -> tuple[list[dict], str]:
    items = sorted(({"code": d.code, "name": d.name, "pinyin": d.pinyin, "wkt": d.geometry_wkt} for d in rows),
                   key=lambda d: d["code"])
    version = hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    return items, version


def released_state(store: Store) -> tuple[list[dict], list[dict], str]:
    """(merchant records, districts, districts version) as reviewed, from one consistent read."""
    with store.consistent_read() as s:
        records = []
        for row in s.scalars(select(Merchant).where(Merchant.reviewed_revision.is_not(None)).order_by(Merchant.id)):
            if row.reviewed_revision == row.revision:
                state = row_state(row)
            else:   # edited since the review: undo the later revisions to get what was reviewed
                state = row_state(row)
                later = s.scalars(select(MerchantRevision).where(MerchantRevision.merchant_id == row.id,
                                                                 MerchantRevision.revision > row.reviewed_revision)
                                  .order_by(MerchantRevision.revision.desc()))
                for rev in later:
                    state.update({f: old for f, (old, _new) in revision_changes(rev).items()})
            records.append(merchant_record(row.id, state, row.reviewed_revision))
        districts, version = districts_payload(s.scalars(select(District)))
    return records, districts, version


def _write_gz(path: Path, data: dict) -> dict:
    """Write gzip'd JSON (deterministic: no timestamp in the gzip header); returns its index entry."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    packed = gzip.compress(raw, mtime=0)
    write_bytes(path, packed)
    return {"file": path.name, "size": len(packed), "sha256": hashlib.sha256(packed).hexdigest()}


def read_gz(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


def diff(before: dict, after: dict) -> dict:
    """The delta from one snapshot to the next."""
    old = {m["id"]: m for m in before["merchants"]}
    new = {m["id"]: m for m in after["merchants"]}
    added = [new[i] for i in sorted(new.keys() - old.keys())]
    changed, retired = [], []
    for i in sorted(new.keys() & old.keys()):
        if new[i] != old[i]:
            (retired if new[i]["retired_on"] and not old[i]["retired_on"] else changed).append(new[i])
    delta = {"format": FORMAT, "from": before["release"], "to": after["release"], "added": added,
             "changed": changed, "retired": retired, "removed": sorted(old.keys() - new.keys()),
             "districts_version": after["districts_version"]}
    if after["districts_version"] != before["districts_version"]:
        delta["districts"] = after["districts"]
    return delta


def read_index(folder: Path) -> dict:
    path = Path(folder) / INDEX
    if not path.exists():
        return {"format": FORMAT, "latest": 0, "releases": {}}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"{path} 已损坏：{exc}") from None


VALID_DAYS = 90   # the union promises a new release (even an unchanged one) within this many days


def publish(store: Store, folder: Path, key: Ed25519PrivateKey, *, now: dt.datetime | None = None,
            valid_days: int = VALID_DAYS) -> PublishResult:
    """Write release N+1 into `folder` (release 1 into an empty one). The index and its signature are
    written last, so members never see a release whose files are not all there."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    index = read_index(folder)
    previous = int(index.get("latest") or 0)
    release = previous + 1
    records, districts, version = released_state(store)
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    snapshot = {"format": FORMAT, "release": release, "published_at": when, "districts_version": version,
                "districts": districts, "merchants": records}
    entry: dict = {"published_at": when, "merchants": len(records), "districts_version": version,
                   "snapshot": _write_gz(folder / f"snapshot-{release}.json.gz", snapshot)}
    counts = {"added": len(records), "changed": 0, "retired": 0, "removed": 0}
    if previous:
        before_path = folder / f"snapshot-{previous}.json.gz"
        if not before_path.exists():
            raise ReleaseError(f"缺少上一版的快照 {before_path.name}：请在保存所有发布文件的目录中发布")
        delta = diff(read_gz(before_path), snapshot)
        counts = {k: len(delta[k]) for k in ("added", "changed", "retired", "removed")}
        entry["delta"] = {**_write_gz(folder / f"delta-{previous}-{release}.json.gz", delta), "from": previous}
    entry.update(counts)
    index.setdefault("releases", {})[str(release)] = entry
    # Signed with the rest: when this was published, and how long members may take it as current.
    index.update(format=FORMAT, latest=release, published_at=when, valid_days=int(valid_days))
    data = (json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    # The signature first: an index is never newer than the signature that vouches for it. A full disk
    # between the two leaves the old index with a signature that does not match: members refuse it and
    # keep their catalogue, and publishing again completes it.
    write_bytes(folder / SIGNATURE, sign(key, data))
    write_bytes(folder / INDEX, data)
    files = tuple(sorted(e["file"] for e in (entry["snapshot"], entry.get("delta")) if e)) + (INDEX, SIGNATURE)
    return PublishResult(release, folder, len(records), counts["added"], counts["changed"], counts["retired"],
                         counts["removed"], files)
