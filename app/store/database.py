"""Opening a store: resolve the URL, migrate to the newest schema, seed an empty database once."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from app.store.models import StoreMeta

DB_ENV = "UNIONCARD_DB"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    """UNIONCARD_DB if set, else a SQLite file in the user's data directory."""
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    data_dir = Path(platformdirs.user_data_dir("unioncard", appauthor=False))
    return f"sqlite:///{data_dir / 'unioncard.sqlite'}"


SUPPORTED = ("sqlite", "postgresql")


class DatabaseURLError(ValueError):
    """A --db / UNIONCARD_DB value that names no database we can open."""


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(f"数据库地址“{url}”无法识别：应是 SQLite 文件（sqlite:///路径/文件.sqlite）或 "
                               "PostgreSQL（postgresql://用户:密码@主机/数据库）") from None
    if parsed.get_backend_name() not in SUPPORTED:
        raise DatabaseURLError(f"不支持“{parsed.get_backend_name()}”数据库：工会卡使用 SQLite 文件（sqlite:///路径）"
                               "或 PostgreSQL（postgresql://用户@主机/数据库）")
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:" or parsed.query.get("mode") == "memory":
            # sqlite:// is a database in memory: a deposit recorded there is gone when the command ends.
            raise DatabaseURLError(f"“{url}”是内存数据库，命令结束时其中的记录就会丢失：请给出 SQLite 文件的路径"
                                   "（sqlite:///路径/文件.sqlite）")
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # foreign keys are off by default in SQLite
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # Overwrite what is deleted or replaced, so a personal number once typed is not left in the file.
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    return create_engine(parsed, pool_pre_ping=True)


class DatabaseFileError(ValueError):
    """A database this app must not open or change: another program's, or a newer version's."""


def head_revision() -> str:
    """The newest migration's revision: its file's number (0010_offer_headline.py -> "0010")."""
    return max(p.name.split("_", 1)[0] for p in (_MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database). Refuses, before
    writing anything, a database of another program or of a newer version of this app."""
    # Every start of every command comes here: a database already at the newest revision is told by
    # one query, without importing Alembic (a third of a second) or reading the migration scripts.
    # Revisions are named by their files' numbers (tests/test_store.py keeps that true).
    with engine.connect() as conn:
        if inspect(conn).has_table("alembic_version"):
            if conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision():
                return
    _migrate(engine)


def sqlite_file(url) -> Path | None:
    """The file a SQLite URL names, or None when nothing may be made there: in memory, or a read-only
    URI (sqlite:///file:/path/x.sqlite?mode=ro&uri=true, whose "file:" is not part of the path)."""
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:") and str(url.query.get("uri", "")).lower() in ("true", "1"):
        if url.query.get("mode") in ("ro", "memory"):
            return None
        from urllib.parse import unquote, urlsplit

        database = unquote(urlsplit(database).path)
    return Path(database).expanduser()


@contextmanager
def first_start_lock(engine: Engine):
    """One process at a time builds and seeds a new SQLite file: two first starts at once would each see
    the other's half-made tables and half-imported merchants. An advisory lock on the file itself (flock;
    POSIX), released when the holder ends, however it ends, so a killed first start leaves nothing
    locked. Hold it around migrate() and the seeding (app/seed.py)."""
    database = sqlite_file(engine.url) if engine.url.get_backend_name() == "sqlite" else None
    try:
        import fcntl
    except ImportError:   # Windows: SQLite's own locking, and the half-made check below only
        fcntl = None
    if not database or fcntl is None:
        yield
        return
    try:
        handle = open(database, "ab")
    except OSError:   # a read-only folder: nothing can be built there, and SQLite says so
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate(engine: Engine) -> None:
    with engine.connect() as conn:   # another process may have finished it while this one waited
        if inspect(conn).has_table("alembic_version"):
            if conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision():
                return
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    scripts = ScriptDirectory.from_config(cfg)
    with engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current is None:
            tables = set(inspect(conn).get_table_names())
            if tables and _half_created(conn, tables):
                # A first start that stopped part way (a full disk, a kill): our own tables, all empty and
                # never stamped with a revision. Begun again rather than refused for ever after.
                for name in tables:
                    conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
                tables = set()
            if tables:
                raise DatabaseFileError(f"这不是工会卡的数据库（其中已有别的程序的表：{'、'.join(sorted(tables)[:5])}），"
                                        "未作任何改动")
        elif current not in {r.revision for r in scripts.walk_revisions()}:
            raise DatabaseFileError(f"这个数据库由较新版本的工会卡创建（版本 {current}，本程序最高认识到 "
                                    f"{scripts.get_current_head()}）：请先升级工会卡；数据库未作任何改动")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _half_created(conn, tables: set[str]) -> bool:
    """Only this app's tables (and Alembic's), every one of them empty."""
    from app.store.models import Base

    ours = set(Base.metadata.tables) | {"alembic_version"}
    return tables <= ours and all(conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is None for name in tables)


def mark_merchants_written(session: Session) -> None:
    """Say that this session wrote merchants through a Core statement (which the ORM events below do
    not see), so the commit still tells in-memory views to read the catalogue again."""
    session.info["merchants_touched"] = True


def _count_catalogue_writes(store: Store) -> None:
    """Bump `store.catalogue_generation` after each commit that wrote merchants (ORM objects or bulk
    statements), so in-memory views of the catalogue know to read it again."""
    from app.store.models import Merchant

    @event.listens_for(store._sessions, "after_flush")
    def _flushed(session, _context):
        if any(isinstance(o, Merchant) for o in (*session.new, *session.dirty, *session.deleted)):
            mark_merchants_written(session)

    @event.listens_for(store._sessions, "do_orm_execute")
    def _executed(state):
        if not state.is_select and any(m.class_ is Merchant for m in state.all_mappers):
            mark_merchants_written(state.session)

    @event.listens_for(store._sessions, "after_commit")
    def _committed(session):
        if session.info.pop("merchants_touched", False):
            store.catalogue_generation += 1

    @event.listens_for(store._sessions, "after_rollback")
    def _rolled_back(session):
        session.info.pop("merchants_touched", None)


class Store:
    """One database: its engine and sessions. Sessions never leave the store layer's callers in app/."""

    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.catalogue_generation = 0
        _count_catalogue_writes(self)

    @property
    def url_for_display(self) -> str:
        """Where the data is, in words a member reads: the SQLite file, or the server (never its password)."""
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return f"本机文件 {url.database}" if url.database and url.database != ":memory:" else "内存（不保存）"
        return f"共享数据库 {url.render_as_string(hide_password=True)}"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits on success, rolls back everything on any error."""
        with self._sessions.begin() as s:
            yield s

    @contextmanager
    def consistent_read(self) -> Iterator[Session]:
        """A read-only transaction that sees one state of the whole database, whatever others commit
        meanwhile (REPEATABLE READ on PostgreSQL; a SQLite read transaction already is one)."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with Session(bind=conn) as s, s.begin():
                yield s

    def get_meta(self, key: str) -> str | None:
        with self.session() as s:
            row = s.get(StoreMeta, key)
            return row.value if row else None

    def set_meta(self, session: Session, key: str, value: str) -> None:
        session.merge(StoreMeta(key=key, value=value))

    def close(self) -> None:
        self.engine.dispose()

