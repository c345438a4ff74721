"""The store on a real SQLite file and a real PostgreSQL database: migrations, seeding once."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.merchants.catalogue import search
from app.merchants.rows import count_merchants, delete_merchants
from app.seed import SEEDED_KEY, open_seeded_store
from app.store import Store
from app.store.models import Base


def test_first_open_seeds_districts_and_the_twelve_merchants(seeded):
    store, districts = seeded
    assert len(districts.codes) == 13
    assert count_merchants(store) == 12
    assert store.get_meta(SEEDED_KEY)


def test_revisions_are_named_by_their_files_in_one_line(tmp_path):
    """The start-up fast path (app.store.database.migrate) takes the newest file's number for the head
    revision; that holds only while each file's revision is its number and the chain has no branch."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.store.database import _MIGRATIONS, head_revision

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    scripts = ScriptDirectory.from_config(cfg)
    assert scripts.get_heads() == [head_revision()]
    for script in scripts.walk_revisions():
        assert script.path.rsplit("/", 1)[-1].startswith(script.revision + "_")


def test_an_older_database_is_still_migrated_on_open(tmp_path):
    from alembic import command
    from alembic.config import Config

    from app.store.database import _MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    older = Store(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with older.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
    older.close()
    store, _ = open_seeded_store(url)
    with store.engine.connect() as conn:
        assert "offer_headline" in {c["name"] for c in inspect(conn).get_columns("merchants")}
    store.close()


def test_reopening_does_not_duplicate_or_reseed(db_url):
    store, _ = open_seeded_store(db_url)
    store.close()
    store, districts = open_seeded_store(db_url)
    assert count_merchants(store) == 12
    assert len(districts.codes) == 13
    # Staff removed every merchant on purpose: opening again must not bring them back.
    delete_merchants(store, list(search(store, districts)["id"]))
    store.close()
    store, _ = open_seeded_store(db_url)
    assert count_merchants(store) == 0
    store.close()


def test_migrations_build_exactly_the_models(seeded):
    store, _ = seeded
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert {"districts", "merchants", "store_meta", "alembic_version"} <= set(inspect(store.engine).get_table_names())


def test_default_database_is_a_sqlite_file_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    store, _ = open_seeded_store()
    assert store.url.startswith("sqlite:///")
    assert (tmp_path / "unioncard" / "unioncard.sqlite").is_file()
    store.close()


def test_unioncard_db_env_picks_the_database(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("UNIONCARD_DB", f"sqlite:///{target}")
    store, _ = open_seeded_store()
    store.close()
    assert target.is_file()


def _older_database(tmp_path, revision: str, fill) -> Store:
    """A SQLite file as an older version of the app left it (schema at `revision`, `fill` run in it),
    then opened by this version."""
    from alembic import command
    from alembic.config import Config

    from app.store.database import _MIGRATIONS, migrate

    store = Store(f"sqlite:///{tmp_path / 'old.sqlite'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        fill(conn)
    migrate(store.engine)
    return store


def test_migration_0007_masks_numbers_an_older_version_kept(tmp_path):
    from sqlalchemy import text

    store = _older_database(tmp_path, "0006", lambda conn: conn.execute(text("INSERT INTO wallet_profile (id, card_number, mobile, revision) "
                          "VALUES (1, '6222021234567894', '+8613912345678', 0)")))
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT card_number, mobile FROM wallet_profile")).one()
    store.close()
    assert tuple(row) == ("6222 **** **** 7894", "139****5678")
    assert b"6222021234567894" not in (tmp_path / "old.sqlite").read_bytes()


def test_migration_0009_marks_the_seed_merchants_category_codes_as_assumed(tmp_path):
    """Issue 18: seed 000 Q17 gives the twelve merchants and their offers, no category codes. A database
    made by an older version learns that their codes were assumed; a staff-entered merchant's was not."""
    from sqlalchemy import text

    def fill(conn):
        conn.execute(text("INSERT INTO districts (code, name, pinyin, geometry_wkt) VALUES ('420107', '青山区', "
                          "'qingshanqu', 'POINT (114.39 30.63)')"))
        for mid, source in (("qs-08", "武汉工会会员服务卡知识解答 第17问"), ("staff-1", "2026 海报")):
            conn.execute(text("INSERT INTO merchants (id, name, category, district_code, mcc, offer, lon, lat, "
                              "location_approximate, source, name_pinyin, name_initials, rules_json, revision) "
                              "VALUES (:id, '精益眼镜', '购物', '420107', '8043', '', 114.39, 30.63, 0, :source, "
                              "'', '', '{}', 1)"), {"id": mid, "source": source})

    store = _older_database(tmp_path, "0008", fill)
    with store.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, mcc_assumed FROM merchants")).all())
    store.close()
    assert rows == {"qs-08": True, "staff-1": False}
