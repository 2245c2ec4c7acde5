"""Settings from the environment and database URLs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tortoise import Tortoise

from portal.config import DEFAULT_DATABASE_URL, DEVELOPMENT_SECRET_KEY, ConfigError, Settings
from portal.db import connection_config, database
from tests.conftest import base_database_url


def test_defaults_are_development_on_embedded_sqlite() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///./portal.sqlite3"
    assert settings.env == "development" and not settings.production
    assert settings.secret_key == DEVELOPMENT_SECRET_KEY


def test_production_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY is required when PORTAL_ENV=production"):
        Settings.from_env({"PORTAL_ENV": "production"})


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(ConfigError, match="at least 32 characters"):
        Settings.from_env({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "short"})


def test_production_with_a_secret_key() -> None:
    settings = Settings.from_env({"PORTAL_ENV": "Production", "PORTAL_SECRET_KEY": "s" * 40,
                                  "PORTAL_DATABASE_URL": "postgres://u@db/portal",
                                  "PORTAL_ALLOWED_ORIGINS": "https://a.example, https://b.example"})
    assert settings.production and settings.secret_key == "s" * 40
    assert settings.database_url == "postgres://u@db/portal"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize(("environ", "message"), [
    ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be one of development, production"),
    ({"PORTAL_PUBLIC_VERSION_CHECK_SECONDS": "soon"}, "must be a number of seconds"),
])
def test_malformed_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ)


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:///./portal.sqlite3", "./portal.sqlite3"),
    ("sqlite:///var/portal.db", "var/portal.db"),
    ("sqlite:////srv/portal/portal.db", "/srv/portal/portal.db"),
    ("sqlite://:memory:", ":memory:"),
])
def test_sqlite_urls(url: str, path: str) -> None:
    config = connection_config(url)
    assert config["engine"] == "portal.sqlite_engine"
    assert config["credentials"]["file_path"] == path
    assert config["credentials"]["busy_timeout"] == "5000"
    assert config["credentials"]["journal_mode"] == "WAL"


async def test_a_sqlite_connection_keeps_a_large_database_in_its_page_cache(tmp_path: Path) -> None:
    if base_database_url().startswith("postgres"):
        # A SQLite context opened in this process would rebind the models under the PostgreSQL suite's tests.
        pytest.skip("checked when the suite runs on SQLite")
    async with database(f"sqlite:///{tmp_path / 'cache.sqlite3'}"):
        connection = Tortoise.get_connection("default")
        assert (await connection.execute_query_dict("PRAGMA cache_size"))[0]["cache_size"] == -131072
        assert (await connection.execute_query_dict("PRAGMA mmap_size"))[0]["mmap_size"] == 2**30


def test_postgres_url_with_schema_and_pool() -> None:
    config = connection_config("postgres://portal:p%40ss@10.0.0.5:6432/gov?schema=s1&maxsize=20")
    assert config == {"engine": "tortoise.backends.asyncpg", "credentials": {
        "host": "10.0.0.5", "port": 6432, "user": "portal", "password": "p@ss", "database": "gov",
        "minsize": 1, "maxsize": 20, "schema": "s1"}}


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://root@localhost/portal", "must start with sqlite:// or postgres://"),
    ("postgres://localhost", "names no database"),
    ("sqlite:///", "names no file"),
    ("sqlite:relative.db", "must look like sqlite:///"),
])
def test_bad_database_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        connection_config(url)


def test_no_proxy_is_trusted_by_default() -> None:
    assert Settings.from_env({}).trusted_proxies == ()
    assert Settings.from_env({"PORTAL_TRUSTED_PROXIES": " , "}).trusted_proxies == ()


def test_trusted_proxies_are_addresses_and_networks() -> None:
    settings = Settings.from_env({"PORTAL_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7 ,::1, 2001:db8::/32,"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.7", "::1", "2001:db8::/32")


@pytest.mark.parametrize("entry", ["*", "proxy.internal", "10.0.0.1/8", "10.0.0.0/33", "300.1.1.1", "127.0.0.1:80"])
def test_a_trusted_proxy_that_is_no_address_is_refused(entry: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"networks such as 10.0.0.0/8, not {entry!r}")):
        Settings.from_env({"PORTAL_TRUSTED_PROXIES": f"10.1.1.1,{entry}"})
