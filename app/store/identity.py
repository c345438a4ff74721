"""Who is using the catalogue and whether they may change it: a PostgreSQL role, or the local user.

On PostgreSQL every staff member connects with a role of their own, so a revision records that role and
no one can sign as someone else; the edit mode is offered only to a role with write privileges. The
embedded SQLite file is single-user: the name is the wallet profile's, else the computer's login name.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.store.database import Store
from app.store.models import WalletProfile

# The tables staff write when they curate; members (and the read-only role) only read them.
CATALOGUE_TABLES = ("districts", "merchants", "merchant_lists", "merchant_list_items", "store_meta", "alembic_version")
STAFF_WRITES = {
    "merchants": "SELECT, INSERT, UPDATE",   # never DELETE: merchants are retired, not deleted
    "merchant_revisions": "SELECT, INSERT",  # history is append-only
    "change_sets": "SELECT, INSERT",
    "duplicate_dismissals": "SELECT, INSERT",
    "merchant_lists": "SELECT, INSERT, UPDATE, DELETE",
    "merchant_list_items": "SELECT, INSERT, UPDATE, DELETE",
    "store_meta": "SELECT, INSERT, UPDATE",
}
SEQUENCES = ("change_sets_id_seq", "merchant_revisions_id_seq", "merchant_lists_id_seq")
ROLE_KINDS = ("staff", "member")


@dataclass(frozen=True)
class Editor:
    name: str          # what revisions record
    can_edit: bool     # may change the catalogue (the edit mode and the curation commands)
    shared: bool       # a shared PostgreSQL catalogue rather than this computer's file


def is_postgresql(store: Store) -> bool:
    return store.engine.dialect.name == "postgresql"


def current_editor(store: Store) -> Editor:
    if is_postgresql(store):
        with store.engine.connect() as conn:
            role = conn.scalar(text("SELECT current_user"))
            can = conn.scalar(text(
                "SELECT has_table_privilege(current_user, 'merchants', 'UPDATE')"
                " AND has_table_privilege(current_user, 'merchant_revisions', 'INSERT')"
            ))
        return Editor(str(role), bool(can), shared=True)
    with store.session() as s:
        name = s.scalar(select(WalletProfile.name).where(WalletProfile.id == 1))
    path = make_url(store.url).database
    writable = not path or os.access(path, os.W_OK) or not os.path.exists(path)
    return Editor(name or _login_name(), writable, shared=False)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still a name a person recognises
        return "本机用户"


class RoleError(ValueError):
    """A role request the database cannot carry out (not PostgreSQL, a bad name)."""


def grant_statements(role: str, kind: str, password: str | None = None) -> list[str]:
    """The SQL that creates (if needed) a login role and gives it a staff's or a member's privileges."""
    if kind not in ROLE_KINDS:
        raise RoleError(f"角色类型应为 {' 或 '.join(ROLE_KINDS)}")
    if not role.replace("_", "").isalnum() or not role.isascii() or role[0].isdigit():
        raise RoleError(f"角色名只能由英文字母、数字和下划线组成，且不以数字开头：“{role}”")
    quoted = f'"{role}"'
    login = "LOGIN" + (" PASSWORD '" + password.replace("'", "''") + "'" if password else "")
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {quoted} {login}; END IF; END $$",
    ]
    if password:
        statements.append(f"ALTER ROLE {quoted} {login}")
    statements.append(f"GRANT USAGE ON SCHEMA public TO {quoted}")
    statements += [f"GRANT SELECT ON {t} TO {quoted}" for t in CATALOGUE_TABLES]
    if kind == "staff":
        statements += [f"GRANT {privileges} ON {t} TO {quoted}" for t, privileges in STAFF_WRITES.items()]
        statements += [f"GRANT USAGE, SELECT ON SEQUENCE {seq} TO {quoted}" for seq in SEQUENCES]
    else:
        for t, _ in STAFF_WRITES.items():
            if t not in CATALOGUE_TABLES:
                statements.append(f"REVOKE ALL ON {t} FROM {quoted}")
        statements += [f"REVOKE INSERT, UPDATE, DELETE ON {t} FROM {quoted}" for t in CATALOGUE_TABLES]
    return statements


def grant(store: Store, role: str, kind: str, password: str | None = None) -> list[str]:
    """Run `grant_statements` on the shared catalogue (as its owner); returns what was run."""
    if not is_postgresql(store):
        raise RoleError("角色只用于 PostgreSQL 共享目录；本机 SQLite 数据库只有一个使用者")
    statements = grant_statements(role, kind, password)
    with store.session() as s:
        for sql in statements:
            s.execute(text(sql))
    secret = password.replace("'", "''") if password else None
    return [sql.replace(f"'{secret}'", "'***'") if secret else sql for sql in statements]


def personal_data_available(store: Store) -> bool:
    """Whether this connection may keep a member's own data here (wallet, favourites, recently viewed).
    They are the member's alone: on the shared PostgreSQL catalogue only a role given those tables (the
    database's owner) has them."""
    if not is_postgresql(store):
        return True
    with store.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT has_table_privilege(current_user, 'wallet_entries', 'INSERT')"
            " AND has_table_privilege(current_user, 'wallet_profile', 'UPDATE')"
            " AND has_table_privilege(current_user, 'member_favourites', 'INSERT')"
            " AND has_table_privilege(current_user, 'member_recent', 'INSERT')")))
