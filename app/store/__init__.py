"""The store: SQLAlchemy models, migrations and sessions for SQLite (default) and PostgreSQL."""

from app.store.database import Store, default_url, migrate

__all__ = ["Store", "default_url", "migrate"]
