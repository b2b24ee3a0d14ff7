"""Per-database session settings the app applies to every connection it opens."""
import pytest
from sqlalchemy import text


def test_postgresql_sessions_run_without_jit(db):
    """JIT compiling took 2 s on a 14 ms report query at 1M tickets (inquiry.dbsetup)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.execute(text("SHOW jit")).scalar() == "off"


def test_sqlite_sessions_keep_foreign_keys_and_wal(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
