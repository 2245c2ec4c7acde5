"""The `portal` command, run as a user runs it: a real process per call."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from portal import cli
from portal.catalog.source import DATA_DIR, FILES, read_catalog
from portal.config import SCHEMA_PATH, Settings
from portal.identity.models import RateCounter
from tests.conftest import FreshDatabases
from tests.helpers import PORTAL_COMMAND, free_port, portal_server

PORTAL = PORTAL_COMMAND


def portal(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL, *args], capture_output=True, text=True, timeout=timeout,
                          env={**environ, **(env or {})})


@pytest.fixture
async def fresh_url(databases: FreshDatabases) -> str:
    """An empty database of the run's kind (SQLite file or PostgreSQL schema)."""
    return await databases.create()


def catalog_rows(url: str) -> list[list[object]]:
    out = portal("seed", "--demo", "--database", url)
    assert out.returncode == 0, out.stderr
    source = read_catalog()
    assert out.stdout.startswith(f"catalog seeded: {len(source.departments)} departments, "
                                 f"{len(source.items)} service items, {len(source.bundles)} bundles")
    script = (
        "import asyncio, json, sys\n"
        "from portal import db\n"
        "from portal.catalog.models import Bundle, BundleItem, ServiceItem, ItemField\n"
        "async def main():\n"
        "    async with db.database(sys.argv[1]):\n"
        "        rows = await Bundle.all().order_by('id').values_list('id', 'code', 'promised_days')\n"
        "        rows += await ServiceItem.all().order_by('id').values_list('id', 'code', 'department_id')\n"
        "        rows += [(await BundleItem.all().count(), await ItemField.all().count())]\n"
        "        print(json.dumps(rows))\n"
        "asyncio.run(main())\n")
    dumped = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=60)
    assert dumped.returncode == 0, dumped.stderr
    return json.loads(dumped.stdout)


def test_migrate_then_seed_twice_gives_the_same_catalog(fresh_url: str) -> None:
    for _ in range(2):
        migrated = portal("migrate", "--database", fresh_url)
        assert migrated.returncode == 0, migrated.stderr
    first = catalog_rows(fresh_url)
    second = catalog_rows(fresh_url)
    assert first == second
    source = read_catalog()
    # Every bundle, every item as a bundle of one (单事项), every item, and the counts.
    assert len(first) == len(source.bundles) + 2 * len(source.items) + 1


def test_seed_needs_to_be_told_what_to_load(tmp_path: Path) -> None:
    out = portal("seed", "--database", f"sqlite:///{tmp_path}/p.db")
    assert out.returncode == 2
    assert "--demo" in out.stderr and "--catalog DIR" in out.stderr


def test_seed_refuses_a_broken_catalog_naming_the_bundle(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in FILES:
        shutil.copy(DATA_DIR / f"{name}.yaml", catalog)
    bundles = yaml.safe_load((catalog / "bundles.yaml").read_text(encoding="utf-8"))
    bundles[0]["items"].append({"item": "370000-ZZ-999"})
    (catalog / "bundles.yaml").write_text(yaml.safe_dump(bundles, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/p.db"
    assert portal("migrate", "--database", url).returncode == 0
    out = portal("seed", "--catalog", str(catalog), "--database", url)
    assert out.returncode == 1
    where = f"items[{len(bundles[0]['items']) - 1}].item"
    assert f"bundles.yaml: {bundles[0]['code']}: {where}: unknown item 370000-ZZ-999" in out.stderr


def test_export_schema_check_passes_on_the_committed_file_and_fails_on_drift(tmp_path: Path) -> None:
    assert portal("export-schema", "--check").returncode == 0
    stale = tmp_path / "portal.graphql"
    stale.write_text(SCHEMA_PATH.read_text(encoding="utf-8").replace("promisedDays", "promiseDays", 1),
                     encoding="utf-8")
    out = portal("export-schema", "--check", "--output", str(stale))
    assert out.returncode == 1 and "differs from the schema in the code" in out.stderr
    assert portal("export-schema", "--output", str(stale)).returncode == 0
    assert stale.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


def test_production_refuses_to_serve_without_a_secret_key() -> None:
    out = portal("serve", env={"PORTAL_ENV": "production"})
    assert out.returncode == 2
    assert "PORTAL_SECRET_KEY is required when PORTAL_ENV=production" in out.stderr


def test_calendar_import_stores_a_published_year(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    assert portal("migrate", "--database", url).returncode == 0
    schedule = tmp_path / "2027.json"
    schedule.write_text(json.dumps({"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}],
                                    "workdays": [{"name": "调休", "dates": ["2027-01-02"]}]}), encoding="utf-8")
    out = portal("calendar", "import", str(schedule), "--database", url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "imported the 2027 schedule: 1 days off, 1 make-up working days"


def test_calendar_import_names_the_bad_place(tmp_path: Path) -> None:
    schedule = tmp_path / "2027.yaml"
    schedule.write_text("year: 2027\nholidays:\n  - name: 元旦\n    dates: [2026-12-31]\n", encoding="utf-8")
    out = portal("calendar", "import", str(schedule), "--database", f"sqlite:///{tmp_path}/p.db")
    assert out.returncode == 1
    assert "holidays[0].dates[0]" in out.stderr and "2026-12-31" in out.stderr


def test_serve_demo_creates_migrates_seeds_and_answers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite3"
    with portal_server(url, "--demo") as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "database": "ok"}
        body = httpx.post(f"{base}/graphql", json={"query": "{ bundles(first: 0) { totalCount } }"}, timeout=10).json()
        assert body == {"data": {"bundles": {"totalCount": len(read_catalog().bundles)}}}
        assert httpx.get(f"{base}/", follow_redirects=False).headers["location"] == "/m/"
        assert "爱山东" in httpx.get(f"{base}/m/").text
    assert (tmp_path / "demo.sqlite3").exists()


def migrated_and_seeded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/p.db"
    assert portal("migrate", "--database", url).returncode == 0
    assert portal("seed", "--demo", "--database", url).returncode == 0
    return url


def test_user_create_makes_staff_who_can_sign_in(tmp_path: Path) -> None:
    url = migrated_and_seeded(tmp_path)
    out = portal("user", "create", "--username", "jn-handler", "--password", "Handler-Pass-2115",
                 "--role", "DEPARTMENT_HANDLER", "--department", "370100-GAJ", "--name", "刘警官",
                 "--database", url, env={"PORTAL_PASSWORD_PROFILE": "test"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("created staff account jn-handler (DEPARTMENT_HANDLER, 370100-GAJ), id ")
    with portal_server(url) as base:
        body = httpx.post(f"{base}/graphql", timeout=10, json={"query": """mutation {
            login(input: {username: "jn-handler", password: "Handler-Pass-2115"}) {
              ... on AuthPayload { token account { kind displayName } } } }"""}).json()
        login = body["data"]["login"]
        assert login["account"] == {"kind": "STAFF", "displayName": "刘警官"}
        me = httpx.post(f"{base}/graphql", timeout=10, json={"query": "{ me { profile { role departmentCode } } }"},
                        headers={"authorization": f"Bearer {login['token']}"}).json()
        assert me["data"]["me"]["profile"] == {"role": "DEPARTMENT_HANDLER", "departmentCode": "370100-GAJ"}


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "DEPARTMENT_HANDLER"], "部门经办人必须指定所属部门"),
    (["--role", "DEPARTMENT_HANDLER", "--department", "370100-NOPE"], "no department 370100-NOPE in the catalog"),
    (["--role", "SUPERVISOR", "--password", "short"], "密码"),
])
def test_user_create_refuses_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    url = migrated_and_seeded(tmp_path)
    password = [] if "--password" in args else ["--password", "Handler-Pass-2115"]
    out = portal("user", "create", "--username", "someone", *password, *args, "--database", url)
    assert out.returncode == 1 and message in out.stderr, out.stderr


def test_user_create_refuses_a_taken_username(tmp_path: Path) -> None:
    url = migrated_and_seeded(tmp_path)
    create = ("user", "create", "--username", "dup", "--password", "Handler-Pass-2115", "--role", "ADMIN",
              "--database", url)
    assert portal(*create).returncode == 0
    out = portal(*create)
    assert out.returncode == 1 and "the username dup is taken" in out.stderr


def test_user_create_binds_a_window_clerk_to_its_halls(tmp_path: Path) -> None:
    url = migrated_and_seeded(tmp_path)
    create = ("user", "create", "--password", "Window-Clerk-2115", "--database", url)
    out = portal(*create, "--username", "qd-window", "--role", "WINDOW_CLERK", "--hall", "QDSMZX, LXQZWFW",
                 "--hall", "QDSMZX", env={"PORTAL_PASSWORD_PROFILE": "test"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("created staff account qd-window (WINDOW_CLERK, halls QDSMZX LXQZWFW), id ")
    with sqlite3.connect(tmp_path / "p.db") as connection:
        halls = connection.execute("SELECT hall_id FROM hall_clerk JOIN account ON account.id = account_id "
                                   "WHERE username = 'qd-window' ORDER BY hall_id").fetchall()
    assert halls == [("LXQZWFW",), ("QDSMZX",)]
    for args, message in ((["--role", "WINDOW_CLERK", "--hall", "QDSMZX,NOPE"], "没有这个政务服务大厅：NOPE"),
                          (["--role", "SUPERVISOR", "--hall", "QDSMZX"], "只有窗口工作人员可以指定所属大厅")):
        out = portal(*create, "--username", "refused", *args)
        assert out.returncode == 1 and message in out.stderr, out.stderr


def test_audit_verify_reports_the_first_broken_link(tmp_path: Path) -> None:
    url = migrated_and_seeded(tmp_path)
    assert portal("seed", "--demo", "--database", url).returncode == 0
    out = portal("audit", "verify", "--database", url)
    assert out.returncode == 0 and re.fullmatch(r"audit trail intact: \d+ entries checked", out.stdout.strip())
    with sqlite3.connect(tmp_path / "p.db") as connection:
        first = connection.execute("SELECT min(id) FROM audit_entry").fetchone()[0]
        connection.execute("UPDATE audit_entry SET detail = '{\"bundles\": 1}' WHERE id = ?", (first,))
    out = portal("audit", "verify", "--database", url)
    assert out.returncode == 1
    assert out.stderr.strip() == (f"audit trail broken at entry {first}: its content does not match its hash: "
                                  "the entry was changed (0 entries before it check out)")


def test_demo_accounts_sign_in_and_hold_their_licences(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite3"
    with portal_server(url, "--demo") as base:
        login = """mutation($u: String!) { login(input: {username: $u, password: "Demo-Portal-2115"}) {
                     ... on AuthPayload { token account { kind displayName } } } }"""
        citizen = httpx.post(f"{base}/graphql", json={"query": login, "variables": {"u": "13805310001"}},
                             timeout=10).json()["data"]["login"]
        assert citizen["account"] == {"kind": "CITIZEN", "displayName": "李梅"}
        held = httpx.post(f"{base}/graphql", json={"query": "{ me { certificates { type } agents { enterpriseName } } }"},
                          headers={"authorization": f"Bearer {citizen['token']}"}, timeout=10).json()["data"]["me"]
        assert sorted(c["type"] for c in held["certificates"]) == [
            "HOUSEHOLD_REGISTER", "MARRIAGE_CERTIFICATE", "RESIDENT_ID_CARD", "SOCIAL_SECURITY_CARD"]
        assert held["agents"] == [{"enterpriseName": "济南泉城餐饮管理有限公司"}]
        for username, kind in (("91370102MA3C5QX1XY", "ENTERPRISE"), ("hotel-shungeng", "STAFF")):
            account = httpx.post(f"{base}/graphql", json={"query": login, "variables": {"u": username}},
                                 timeout=10).json()["data"]["login"]["account"]
            assert account["kind"] == kind
        clerk = httpx.post(f"{base}/graphql", json={"query": login, "variables": {"u": "window-jinan"}},
                           timeout=10).json()["data"]["login"]["token"]

        def as_clerk(query: str) -> dict[str, Any]:
            return httpx.post(f"{base}/graphql", json={"query": query}, timeout=10,
                              headers={"authorization": f"Bearer {clerk}"}).json()["data"]

        assert as_clerk("{ me { halls { code } } }") == {"me": {"halls": [{"code": "JNSMZX"}]}}
        call = 'mutation {{ callNextTicket(counterCode: "{}") {{ ... on UserError {{ code }} }} }}'
        assert as_clerk(call.format("QDSMZX-01")) == {"callNextTicket": {"code": "NOT_YOUR_HALL"}}
        assert as_clerk(call.format("JNSMZX-01")) == {"callNextTicket": {"code": "QUEUE_EMPTY"}}


def test_demo_data_is_refused_in_production(tmp_path: Path) -> None:
    environ = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 40}
    for args in (("seed", "--demo"), ("serve", "--demo")):
        out = portal(*args, "--database", f"sqlite:///{tmp_path}/p.db", env=environ)
        assert out.returncode == 2 and "refused when PORTAL_ENV=production" in out.stderr


def test_ci_runs_the_suite_on_sqlite_then_on_postgresql() -> None:
    script = Path(__file__).resolve().parent.parent / ".ci" / "run"
    subprocess.run(["bash", "-n", str(script)], check=True)  # it parses
    commands = [line.split("#", 1)[0].strip() for line in script.read_text().splitlines()]
    assert [c for c in commands if c.startswith("make")] == ["make test", "make test-postgres"]
    makefile = (script.parent.parent / "Makefile").read_text()
    assert re.search(r"^test-postgres:.*\n\tPORTAL_DATABASE_URL=postgres://\S+ \$\(BIN\)/python -m pytest$",
                     makefile, re.MULTILINE)


def serve_options(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> dict[str, Any]:
    """The options `portal serve` hands uvicorn under ``environ``."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    for name in [n for n in os.environ if n.startswith("PORTAL_")]:
        monkeypatch.delenv(name)
    for name, value in {"PORTAL_DATABASE_URL": "sqlite:///unused.sqlite3", **environ}.items():
        monkeypatch.setenv(name, value)
    args = argparse.Namespace(host="127.0.0.1", port=8000, workers=1, demo=False, database=None)
    assert cli.cmd_serve(args) == 0
    [options] = calls
    return options


def test_serve_reads_no_forwarded_headers_without_trusted_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    options = serve_options(monkeypatch, {})
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (False, [])


def test_serve_trusts_forwarded_headers_from_the_configured_proxies_only(monkeypatch: pytest.MonkeyPatch) -> None:
    options = serve_options(monkeypatch, {"PORTAL_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7"})
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (True, ["10.0.0.0/8", "192.168.1.7"])


REGISTER = """mutation($n: String!) { registerCitizen(input: {name: "张三", idNumber: $n, phone: "1", password: "x"}) {
  __typename } }"""


async def registrations_from(base: str, peer: str, forwarded_for: list[str]) -> list[str]:
    """What `registerCitizen` answers to requests from ``peer`` (a loopback address of the test's own),
    each claiming another client in X-Forwarded-For. Every registration attempt counts per address."""
    await RateCounter.filter(key__in=[f"register-address:{a}" for a in (peer, *forwarded_for)]).delete()
    transport = httpx.AsyncHTTPTransport(local_address=peer)
    async with httpx.AsyncClient(transport=transport, base_url=base, timeout=10) as http:
        answers = []
        for claimed in forwarded_for:
            response = await http.post("/graphql", json={"query": REGISTER, "variables": {"n": "1"}},
                                       headers={"x-forwarded-for": claimed})
            answers.append(response.json()["data"]["registerCitizen"]["__typename"])
    return answers


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_counted_address(database_url: str) -> None:
    claims = [f"203.0.113.{n}" for n in range(11)]
    with portal_server(database_url) as base:
        # 127.0.0.1: uvicorn's own default would trust it
        answers = await registrations_from(base, "127.0.0.1", claims)
    assert answers == ["FormInvalid"] * 10 + ["RateLimited"]
    with portal_server(database_url, env={"PORTAL_TRUSTED_PROXIES": "127.0.0.22, 10.0.0.0/8"}) as base:
        assert await registrations_from(base, "127.0.0.22", claims) == ["FormInvalid"] * 11
        assert await registrations_from(base, "127.0.0.23", claims) == ["FormInvalid"] * 10 + ["RateLimited"]


def test_serve_says_where_to_go_and_stops_quietly(tmp_path: Path) -> None:
    """The start-up lines name the clients and GraphiQL; nothing prints object addresses; stopping prints once."""
    url = f"sqlite:///{tmp_path}/quiet.db"
    assert portal("migrate", "--database", url).returncode == 0
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    server = subprocess.Popen([PORTAL_COMMAND, "serve", "--port", str(port), "--database", url],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**environ, "PORTAL_PASSWORD_PROFILE": "test"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "portal serve did not start"
                time.sleep(0.1)
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    base = f"http://127.0.0.1:{port}"
    for line in (f"phone and desktop  {base}/m/", f"window and staff   {base}/window/", f"TV                 {base}/tv/",
                 f"GraphiQL           {base}/graphql"):
        assert line in output, output
    assert " object at 0x" not in output, output
    # Tortoise announced its start and its stop, the stop twice (once per connection); uvicorn says it once.
    assert "Tortoise" not in output and output.count("Application shutdown complete") == 1, output


def test_startup_lines_for_production_and_for_the_demo() -> None:
    production = cli.startup_lines(Settings(database_url="postgres://p@db/portal", env="production",
                                            secret_key="k" * 40), "0.0.0.0", 8080, demo=False)
    assert "http://127.0.0.1:8080/m/" in production and "GraphiQL" not in production and "demo" not in production
    demo = cli.startup_lines(Settings(database_url="sqlite:///./portal.sqlite3"), "::1", 8000, demo=True)
    assert "http://[::1]:8000/graphql" in demo
    assert "portal/demo/accounts.yaml" in demo and "Demo-Portal-2115" in demo
