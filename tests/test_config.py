"""Settings from the environment, and a production config that refuses unsafe starts."""

import pytest

from storefront import create_app
from storefront.config import ConfigError, load_config, normalise_database_url

STRONG = "x" * 48


def test_defaults_run_a_fresh_checkout(tmp_path):
    config = load_config(str(tmp_path), environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/storefront.db"
    assert len(config["SECRET_KEY"]) == 64
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["MAIL_SERVER"] is None
    assert config["SESSION_COOKIE_SECURE"] is False


def test_generated_secret_key_is_kept_in_the_instance_folder(tmp_path):
    first = load_config(str(tmp_path), environ={})["SECRET_KEY"]
    second = load_config(str(tmp_path), environ={})["SECRET_KEY"]
    assert first == second
    assert (tmp_path / "secret_key").read_text() == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_environment_settings(tmp_path):
    config = load_config(str(tmp_path), environ={
        "DATABASE_URL": "postgres://u:p@db:5432/shop",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "MAIL_SERVER": "smtp.example.com",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "true",
        "STRIPE_SECRET_KEY": "sk_test_123",
        "SECRET_KEY": STRONG,
    })
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/shop"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.com", 587, True)
    assert config["STRIPE_SECRET_KEY"] == "sk_test_123"
    assert config["SECRET_KEY"] == STRONG


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config(str(tmp_path), environ={"APP_ENV": "production"})
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config(str(tmp_path), environ={"APP_ENV": "production", "SECRET_KEY": "short"})
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_in_debug_mode(tmp_path):
    with pytest.raises(ConfigError, match="debug mode must be off"):
        load_config(str(tmp_path), environ={
            "APP_ENV": "production", "SECRET_KEY": STRONG, "FLASK_DEBUG": "1"})


def test_production_cookies_are_secure(tmp_path):
    config = load_config(str(tmp_path), environ={"APP_ENV": "production", "SECRET_KEY": STRONG})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_create_app_refuses_unsafe_production(tmp_path):
    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "production", "SECRET_KEY": None})


def test_sqlite_waits_for_a_busy_database_postgresql_needs_no_such_setting(tmp_path):
    config = load_config(str(tmp_path), environ={"SQLITE_BUSY_TIMEOUT": "2.5"})
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True,
                                                   "connect_args": {"timeout": 2.5}}
    on_postgres = load_config(str(tmp_path), environ={"DATABASE_URL": "postgresql://h/shop"})
    assert on_postgres["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_normalise_database_url():
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert normalise_database_url("postgresql://h/db") == "postgresql+psycopg://h/db"
