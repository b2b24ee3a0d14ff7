"""Configuration: defaults, instance file, environment, and refusing to run without a secret."""
import pytest

from inquiry import ConfigError, create_app
from inquiry.config import from_environment
from inquiry.instance import ensure_secret_key


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("INQUIRY_SECRET_KEY", raising=False)
    monkeypatch.setenv("INQUIRY_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nPAGE_SIZE = 10\n")
    monkeypatch.setenv("INQUIRY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("INQUIRY_PAGE_SIZE", "40")
    monkeypatch.setenv("INQUIRY_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["PAGE_SIZE"] == 40
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["SESSION_COOKIE_SECURE"] is True  # production by default


def test_default_database_is_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INQUIRY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("INQUIRY_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "inquiry.db")


def test_environment_values_take_the_type_of_their_default():
    found = from_environment({"INQUIRY_RATELIMIT_ENABLED": "false", "INQUIRY_REOPEN_WITHIN_DAYS": "3", "OTHER": "x"})
    assert found == {"RATELIMIT_ENABLED": False, "REOPEN_WITHIN_DAYS": 3}


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("INQUIRY_SECRET_KEY", raising=False)
    assert ensure_secret_key(str(tmp_path)) is True
    first = (tmp_path / "config.py").read_text()
    assert ensure_secret_key(str(tmp_path)) is False
    assert (tmp_path / "config.py").read_text() == first
    assert oct((tmp_path / "config.py").stat().st_mode & 0o777) == "0o600"
