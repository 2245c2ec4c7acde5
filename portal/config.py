"""Settings from the environment, read in one place.

Every knob of the portal is a ``PORTAL_*`` variable; nothing else in the code reads ``os.environ``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./portal.sqlite3"
# Development only: a fixed key so that tokens survive a restart of `make run`.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
ENVIRONMENTS = ("development", "production")


def derived_key(secret: str, label: bytes) -> bytes:
    """A key for one use of the portal secret (HMAC(secret, label)), so that no two uses can be confused."""
    return hmac.new(secret.encode("utf-8"), label, hashlib.sha256).digest()

PASSWORD_PROFILES = ("rfc9106", "test")


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    env: str = "development"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    broker_url: str | None = None
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    # How often a server re-reads the public data version (catalog, calendar) written by other processes.
    public_version_check_seconds: float = 1.0
    # argon2 parameters (portal.identity.passwords.PROFILES); "test" is refused in production.
    password_profile: str = "rfc9106"
    # Uploaded materials, stored content-addressed (sha256) below this directory.
    upload_dir: str = "./var/uploads"
    # How often each server tries to take the deadline sweep (only the lease holder sweeps).
    sweep_seconds: float = 30.0
    # Reverse proxies whose X-Forwarded-For names the client (IP addresses and networks); none: the peer is the
    # client, whatever a request claims.
    trusted_proxies: tuple[str, ...] = ()
    # 通报 / 约谈 candidates: units whose satisfaction rate in a period is under this share, or whose missed
    # deadlines in it are at least this many (portal.oversight.notices).
    notice_satisfaction_below: float = 0.8
    notice_misses_at_least: int = 3
    # Live events a WebSocket subscriber may fall behind before it is dropped (closed with 4008), so that one
    # slow screen costs neither memory nor the other subscribers' delivery (portal.events.Feed).
    subscriber_queue: int = 256

    @property
    def production(self) -> bool:
        return self.env == "production"

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``PORTAL_*`` variables; refuse a production start without a secret key."""
        env = os.environ if environ is None else environ
        mode = env.get("PORTAL_ENV", "development").strip().lower()
        if mode not in ENVIRONMENTS:
            raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {mode!r}.")
        secret = env.get("PORTAL_SECRET_KEY", "").strip()
        if mode == "production":
            if not secret:
                raise ConfigError(
                    "PORTAL_SECRET_KEY is required when PORTAL_ENV=production: set it to a random value "
                    'of at least 32 characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))".'
                )
            if len(secret) < 32:
                raise ConfigError("PORTAL_SECRET_KEY must be at least 32 characters long in production.")
        origins = tuple(o.strip() for o in env.get("PORTAL_ALLOWED_ORIGINS", "").split(",") if o.strip())
        try:
            check = float(env.get("PORTAL_PUBLIC_VERSION_CHECK_SECONDS", "1"))
        except ValueError as exc:
            raise ConfigError("PORTAL_PUBLIC_VERSION_CHECK_SECONDS must be a number of seconds.") from exc
        try:
            sweep = float(env.get("PORTAL_SWEEP_SECONDS", "30"))
        except ValueError as exc:
            raise ConfigError("PORTAL_SWEEP_SECONDS must be a number of seconds.") from exc
        try:
            satisfaction_below = float(env.get("PORTAL_NOTICE_SATISFACTION_BELOW", "0.8"))
            misses_at_least = int(env.get("PORTAL_NOTICE_MISSES_AT_LEAST", "3"))
        except ValueError as exc:
            raise ConfigError("PORTAL_NOTICE_SATISFACTION_BELOW must be a share such as 0.8 and "
                              "PORTAL_NOTICE_MISSES_AT_LEAST a whole number of missed deadlines.") from exc
        if not 0 < satisfaction_below <= 1 or misses_at_least < 1:
            raise ConfigError("PORTAL_NOTICE_SATISFACTION_BELOW must be between 0 and 1 and "
                              "PORTAL_NOTICE_MISSES_AT_LEAST at least 1.")
        try:
            subscriber_queue = int(env.get("PORTAL_SUBSCRIBER_QUEUE", "256"))
        except ValueError as exc:
            raise ConfigError("PORTAL_SUBSCRIBER_QUEUE must be a whole number of events.") from exc
        if subscriber_queue < 1:
            raise ConfigError("PORTAL_SUBSCRIBER_QUEUE must be at least 1.")
        profile = env.get("PORTAL_PASSWORD_PROFILE", "rfc9106").strip()
        if profile not in PASSWORD_PROFILES:
            raise ConfigError(f"PORTAL_PASSWORD_PROFILE must be one of {', '.join(PASSWORD_PROFILES)}.")
        if mode == "production" and profile != "rfc9106":
            raise ConfigError("PORTAL_PASSWORD_PROFILE=test weakens password hashing and is refused in production.")
        return cls(
            trusted_proxies=trusted_proxies(env.get("PORTAL_TRUSTED_PROXIES", "")),
            sweep_seconds=sweep,
            notice_satisfaction_below=satisfaction_below,
            notice_misses_at_least=misses_at_least,
            subscriber_queue=subscriber_queue,
            upload_dir=env.get("PORTAL_UPLOAD_DIR", "").strip() or "./var/uploads",
            password_profile=profile,
            database_url=env.get("PORTAL_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            env=mode,
            secret_key=secret or DEVELOPMENT_SECRET_KEY,
            broker_url=env.get("PORTAL_BROKER_URL", "").strip() or None,
            allowed_origins=origins,
            public_version_check_seconds=check,
        )


def trusted_proxies(value: str) -> tuple[str, ...]:
    """``PORTAL_TRUSTED_PROXIES``: comma-separated IP addresses and networks (CIDR), normalised; an entry that is
    neither (a host name, ``*``, a network with host bits set) is refused rather than silently never matched."""
    entries: list[str] = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        try:
            entries.append(str(ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)))
        except ValueError as exc:
            raise ConfigError(f"PORTAL_TRUSTED_PROXIES must list IP addresses or networks such as 10.0.0.0/8, "
                              f"not {entry!r} ({exc}).") from exc
    return tuple(entries)


PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = PROJECT_ROOT / "schema" / "portal.graphql"
CLIENTS_PATH = PROJECT_ROOT / "clients"
