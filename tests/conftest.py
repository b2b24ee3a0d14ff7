"""Shared fixtures: a real database (SQLite, or PostgreSQL when INQUIRY_TEST_DATABASE_URL names
one) migrated once per run with Alembic, emptied between tests; factories that return callables.
"""
from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings
import sqlalchemy as sa

from inquiry import create_app
from inquiry.extensions import db as _db
from inquiry.extensions import limiter

from tests.factories import Factories

# Property tests: 100 examples a test by default; INQUIRY_FUZZ_EXAMPLES=5000 for a long local run.
settings.register_profile("inquiry", max_examples=int(os.environ.get("INQUIRY_FUZZ_EXAMPLES", "100")), deadline=None)
settings.load_profile("inquiry")

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KEEP_TABLES = {"queues", "business_calendars", "alembic_version"}  # seeded by the migrations; never emptied


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("INQUIRY_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Migrate an empty database to head once for the whole run.

    On PostgreSQL each run gets a schema of its own (dropped at the end), so runs sharing one
    server and database never see each other's rows or locks.
    """
    url = _database_url(tmp_path_factory)
    schema = None
    if url.startswith("postgresql"):
        schema = f"test_run_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "ENV": "testing", "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    yield url
    if schema:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def app_config(database_url, tmp_path):
    """Settings for this test's app; a test may change them before asking for ``app``."""
    return {
        "TESTING": True,
        "ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # scrypt costs ~0.3 s a hash: right for production, too slow for hundreds of test users.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@pytest.fixture
def instance_path(tmp_path):
    """The app's instance folder: empty (no model: new tickets go to triage) unless a test
    overrides this fixture, e.g. with ``trained_instance``."""
    return str(tmp_path)


@pytest.fixture(scope="session")
def trained_instance(request, tmp_path_factory):
    """An instance folder holding a router trained on the corpus.

    Training costs a minute or more of CPU, so one model serves every xdist worker and later runs
    of the same classifier code and corpus: it is kept in pytest's cache folder under a hash of
    both, trained by whichever worker gets the lock first. Each worker gets its own copy.
    """
    import fcntl
    import hashlib
    import shutil
    from pathlib import Path

    import inquiry.classifier
    from inquiry.classifier.cli import train_and_save

    source = Path(inquiry.classifier.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes())
    cache = Path(request.config.cache.mkdir("inquiry-router"))
    built = cache / digest.hexdigest()[:16]
    with open(cache / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "complete").exists():
            for stale in cache.iterdir():
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
            staging = tmp_path_factory.mktemp("training")
            train_and_save(str(staging), echo=lambda *_: None)
            shutil.copytree(staging, built)
            (built / "complete").touch()
    folder = tmp_path_factory.mktemp("trained")
    shutil.copytree(built, folder, dirs_exist_ok=True)
    return str(folder)


@pytest.fixture
def app(app_config, instance_path, monkeypatch):
    from inquiry.classifier import service as classifier

    monkeypatch.setenv("INQUIRY_INSTANCE_PATH", instance_path)
    classifier.set_model(None)
    from inquiry.sla import policy

    policy.forget()
    app = create_app(app_config)
    with app.app_context():
        limiter.reset()
        yield app
        _db.session.remove()
        _empty(_db.engine)
        _db.engine.dispose()
    classifier.set_model(None)


def _empty(engine, attempts: int = 5) -> None:
    """Empty every table but the seeded ones. A browser test's server thread may still be
    finishing a request (a heartbeat) while this runs: on PostgreSQL emptying the tables can then
    lose a deadlock to it, so it is tried again once that request is done."""
    import time

    for attempt in range(attempts):
        try:
            return _empty_once(engine)
        except sa.exc.OperationalError as exc:
            if "deadlock" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5)


def _empty_once(engine) -> None:
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with engine.begin() as conn:
        # A test writes to a few tables only: those are emptied with DELETE (on PostgreSQL a
        # TRUNCATE of every table made new files for each table and index, ~140 ms a test).
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {t.name})" for t in tables)
        filled = {name for (name,) in conn.execute(sa.text(probe))}
        for table in tables:  # children before parents
            if table.name in filled:
                conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            # Ids start at 1 again, as after TRUNCATE … RESTART IDENTITY.
            conn.execute(sa.text(
                "SELECT setval(s.oid, 1, false) FROM pg_class s "
                "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace "
                "AND t.relname = ANY(:names)"), {"names": [t.name for t in tables]})
        # Seeded rows stay, but settings a test changed on them go back to their defaults.
        conn.execute(sa.text("UPDATE queues SET auto_assign = false, calendar_id = NULL, "
                             "is_restricted = (slug = 'whistleblowing')"))  # restricted by migration 0010
        calendars = _db.metadata.tables["business_calendars"]
        conn.execute(calendars.delete().where(calendars.c.id != 1))
        conn.execute(calendars.update().where(calendars.c.id == 1).values(
            timezone="UTC", holidays=[], hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}))


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """``login(user)``: log in through the form; the test client keeps the session cookie."""
    from tests.factories import PASSWORD

    def _login(user):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return _login


@pytest.fixture
def make(app):
    """Factories: make.user(), make.ticket(), make.token() …, each returning a committed row."""
    return Factories()


@pytest.fixture
def platform_server():
    """A loopback HTTP server playing a platform API; set ``.script`` to [(status, json), …]."""
    from tests.support.platform_server import PlatformServer

    server = PlatformServer().start()
    yield server
    server.stop()


def pytest_collection_modifyitems(config, items):
    """The few tests that need the trained router run on one xdist worker (``--dist loadgroup``):
    that worker trains it (minutes on a 2-core machine, once per cache) while the others go on
    with the rest of the suite, instead of every worker waiting on the training lock at once."""
    for item in items:
        if "trained_instance" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("router"))
