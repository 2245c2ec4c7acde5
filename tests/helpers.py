"""Helpers the tests import."""

from __future__ import annotations

import itertools
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from portal.audit.rules import Actor
from portal.identity.numbers import credit_code_check_character, id_number_check_character, organisation_check_character
from portal.identity.passwords import Passwords
from portal.identity.rules import SignedIn, register_citizen


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (its db_client logger logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


_serial = itertools.count(100)


def new_id_number(region: str = "370102", born: str = "19900101") -> str:
    """A fresh, valid GB 11643 ID number (a new sequence code each call)."""
    first17 = f"{region}{born}{next(_serial) % 1000:03d}"
    return first17 + id_number_check_character(first17)


def new_credit_code(region: str = "370100") -> str:
    """A fresh, valid GB 32100 unified social credit code of an enterprise (91...)."""
    organisation = f"MA{next(_serial):06d}"[:8]
    organisation += organisation_check_character(organisation)
    first17 = f"91{region}{organisation}"
    return first17 + credit_code_check_character(first17)


_phones = itertools.count(13800000000)


def new_phone() -> str:
    return str(next(_phones))


# Characters no text may hold (portal.text): NUL, right-to-left override, byte-order mark, zero-width space, and
# a C0 control (also at the very end of a value, where stripping must not hide it).
CONTROL_CHARACTERS = ["\x00", "\u202e", "\ufeff", "\u200b", "\x1f"]


PORTAL_COMMAND = str(Path(sys.executable).with_name("portal"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_portal(database_url: str, *args: str, env: dict[str, str] | None = None,
                 startup_seconds: float = 60, port: int | None = None) -> tuple[subprocess.Popen[str], str]:
    """Start `portal serve` on ``port`` (a free loopback port when none) and wait until /healthz answers;
    (process, base URL)."""
    port = port or free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environ.update({"PORTAL_PASSWORD_PROFILE": "test", **(env or {})})
    server = subprocess.Popen([PORTAL_COMMAND, "serve", "--port", str(port), "--database", database_url, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_seconds
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                # Keep reading its log: once 64 KiB of it fill the pipe, the server blocks on writing.
                threading.Thread(target=_discard, args=(server.stdout,), daemon=True).start()
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise AssertionError(f"portal serve exited: {server.stdout.read()}")
        if time.monotonic() > deadline:
            stop(server)
            raise AssertionError(f"portal serve did not answer within {startup_seconds} s")
        time.sleep(0.1)


def _discard(stream: Iterable[str]) -> None:
    for _ in stream:
        pass


def stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@contextmanager
def portal_server(database_url: str, *args: str, env: dict[str, str] | None = None,
                  startup_seconds: float = 60) -> Iterator[str]:
    """A real `portal serve` process on a free loopback port; yields its base URL, stops it at the end."""
    server, base = start_portal(database_url, *args, env=env, startup_seconds=startup_seconds)
    try:
        yield base
    finally:
        stop(server)


async def registered_citizen(name: str = "孙悟空") -> SignedIn:
    """A citizen registered and signed in directly through the rules (no HTTP, no rate limit of the test's)."""
    return await register_citizen(Passwords("test"), Actor(None, "test", f"10.254.{next(_serial) % 250}.1"),
                                  name=name, id_number=new_id_number(), phone=new_phone(), password="Citizen-2115!x")


_references = itertools.count(1)


def reference_number(kind: str = "B") -> str:
    """A well-formed, unique 受理编号 for rows a test makes directly."""
    from portal.references import ReferenceKind, compose
    return compose(ReferenceKind(kind), "370100", "20261129", next(_references))
