"""Catalogue releases at city scale: publish 100,000 merchants, a member's first update (snapshot),
then a release with 500 edits and the member's update by delta.

    python benchmarks/releases_100k.py [--count N]

Prints seconds and file sizes per step.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from catalogue_100k import synthetic_csv, timed

from app.merchants import release_keys, release_update, review
from app.merchants.curation import bulk_change
from app.merchants.importer import import_into_store
from app.merchants.releases import publish, read_index
from app.seed import open_seeded_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        staff, districts = open_seeded_store(f"sqlite:///{tmp / 'staff.sqlite'}")
        synthetic_csv(tmp / "m.csv", args.count)
        timed(f"import {args.count:,} merchants", lambda: import_into_store(staff, districts, tmp / "m.csv",
                                                                         duplicates="keep"))
        timed("approve all", lambda: review.approve(staff, None, author="bench"))
        private, public = release_keys.generate(tmp / "keys")
        key = release_keys.load_private(private)
        folder = tmp / "release"
        timed("publish release 1 (snapshot)", lambda: publish(staff, folder, key))
        ids = [f"bench-{i:06d}" for i in range(0, args.count, max(1, args.count // 500))][:500]
        timed(f"edit {len(ids)} merchants (bulk) + approve",
              lambda: (bulk_change(staff, districts, ids, {"offer": "全场8折"}, author="bench"),
                       review.approve(staff, None, author="bench")))
        timed("publish release 2 (snapshot + delta)", lambda: publish(staff, folder, key))
        entry = read_index(folder)["releases"]["2"]
        print(f"{'snapshot size':<48} {entry['snapshot']['size'] / 1e6:8.2f} MB")
        print(f"{'delta size':<48} {entry['delta']['size'] / 1e3:8.1f} kB")
        member, _ = open_seeded_store(f"sqlite:///{tmp / 'member.sqlite'}")
        pub = release_keys.load_public(public)
        # The member takes release 2 by snapshot; staff then publish release 3 for the delta path.
        timed("member: first update (snapshot, verify, apply)",
              lambda: release_update.update(member, source=str(folder), key=pub))
        bulk_change(staff, districts, ids, {"offer": "全场7折"}, author="bench")
        review.approve(staff, None, author="bench")
        publish(staff, folder, key)
        result = timed("member: next update (delta, verify, apply)",
                       lambda: release_update.update(member, source=str(folder), key=pub))
        print(f"{'  how':<48} {result.how} ({len(result.whats_new.changed)} changed)")


if __name__ == "__main__":
    main()
