"""Settings from the environment, and a production config that refuses unsafe starts."""

import pytest

from storefront import create_app
from storefront.config import ConfigError, load_config, normalise_database_url

STRONG = "x" * 48
SHOP = "https://shop.example.com"


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
            "APP_ENV": "production", "SECRET_KEY": STRONG, "SHOP_URL": SHOP, "FLASK_DEBUG": "1"})


def test_production_cookies_are_secure(tmp_path):
    config = load_config(str(tmp_path), environ={"APP_ENV": "production", "SECRET_KEY": STRONG,
                                                 "SHOP_URL": SHOP})
    assert config["SESSION_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_without_the_shops_public_address(tmp_path):
    with pytest.raises(ConfigError, match="SHOP_URL must be set"):
        load_config(str(tmp_path), environ={"APP_ENV": "production", "SECRET_KEY": STRONG})
    config = load_config(str(tmp_path), environ={"APP_ENV": "production", "SECRET_KEY": STRONG,
                                                 "SHOP_URL": SHOP + "/"})
    assert config["SHOP_URL"] == SHOP


def test_the_shops_address_defaults_to_the_development_server(tmp_path):
    assert load_config(str(tmp_path), environ={})["SHOP_URL"] == "http://127.0.0.1:5000"
    assert load_config(str(tmp_path), environ={"PORT": "8000"})["SHOP_URL"] == (
        "http://127.0.0.1:8000")


@pytest.mark.parametrize("url", ["shop.example.com", "ftp://shop.example.com", "https://",
                                 "https://shop.example.com/?x=1"])
def test_a_shop_url_that_is_not_an_address_is_refused(tmp_path, url):
    with pytest.raises(ConfigError, match="SHOP_URL must be the shop's public address"):
        load_config(str(tmp_path), environ={"SHOP_URL": url})


def test_trusted_hosts_from_the_environment(tmp_path):
    config = load_config(str(tmp_path), environ={
        "TRUSTED_HOSTS": "shop.example.com, .shop.example.com"})
    assert config["TRUSTED_HOSTS"] == ["shop.example.com", ".shop.example.com"]
    assert load_config(str(tmp_path), environ={})["TRUSTED_HOSTS"] is None


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


def test_the_default_shop_is_the_us_one_and_shop_preset_eu_switches_everything(tmp_path):
    us = load_config(str(tmp_path), environ={})
    assert (us["SHOP_PRESET"], us["SHOP_CURRENCY"], us["SHOP_LOCALE"],
            us["PRICES_INCLUDE_TAX"], us["TAX_LABEL"]) == ("us", "USD", "en_US", False,
                                                           "Sales tax")
    eu = load_config(str(tmp_path), environ={"SHOP_PRESET": "EU"})
    assert (eu["SHOP_PRESET"], eu["SHOP_CURRENCY"], eu["SHOP_LOCALE"],
            eu["PRICES_INCLUDE_TAX"], eu["TAX_LABEL"]) == ("eu", "EUR", "en_IE", True, "VAT")
    assert eu["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/storefront-eu.db"


def test_a_preset_setting_can_be_changed_on_its_own(tmp_path):
    config = load_config(str(tmp_path), environ={
        "SHOP_PRESET": "eu", "SHOP_CURRENCY": "gbp", "SHOP_LOCALE": "en_GB",
        "PRICES_INCLUDE_TAX": "yes"})
    assert (config["SHOP_CURRENCY"], config["SHOP_LOCALE"], config["PRICES_INCLUDE_TAX"]) == (
        "GBP", "en_GB", True)
    overridden = load_config(str(tmp_path), environ={}, overrides={"SHOP_PRESET": "eu"})
    assert overridden["SHOP_CURRENCY"] == "EUR"


@pytest.mark.parametrize(("environ", "message"), [
    ({"SHOP_PRESET": "mars"}, "SHOP_PRESET must be one of eu, us, not 'mars'."),
    ({"SHOP_CURRENCY": "EURO"}, "SHOP_CURRENCY must be an ISO 4217 currency code"),
    ({"SHOP_CURRENCY": "KWD"}, "SHOP_CURRENCY KWD has 3 decimals; at most 2 are supported."),
])
def test_a_shop_that_cannot_sell_refuses_to_start(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_config(str(tmp_path), environ=environ)
