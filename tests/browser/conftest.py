"""Browser tests: Debian's chromium driven by Playwright against a real ``portal serve --demo``.

The browser is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``), never one Playwright
downloads. Without it these tests are skipped, unless ``PORTAL_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
makes a missing browser a failure. Each test gets a fresh browser context (its own storage, service
worker and client address); screenshots go to ``tests/browser/screenshots/`` for a reviewer.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.helpers import portal_server

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
DEMO_PASSWORD = "Demo-Portal-2115"

try:
    from playwright.async_api import Browser, BrowserContext, Page, async_playwright
except ImportError:  # the test extra not installed
    async_playwright = None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    required = os.environ.get("PORTAL_REQUIRE_BROWSER") == "1"
    missing = None
    if async_playwright is None:
        missing = "Playwright for Python is not installed (pip install -e '.[test]')"
    elif not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if missing is None or required:
        return
    skip = pytest.mark.skip(reason=f"browser tests need a browser: {missing}")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@contextmanager
def demo_portal(tmp_path_factory: pytest.TempPathFactory, sweep_seconds: int = 3600) -> Iterator[tuple[str, str]]:
    """A real portal with the demo catalog, halls and accounts, on a database of its own: (base URL, database
    URL). Its deadline sweep runs every ``sweep_seconds``."""
    base = os.environ.get("PORTAL_DATABASE_URL", "").strip()
    if base.startswith("postgres"):
        import asyncio
        import secrets

        import asyncpg

        schema = f"portal_browser_{secrets.token_hex(4)}"

        async def schema_ddl(sql: str) -> None:
            connection = await asyncpg.connect(base.split("?", 1)[0])
            try:
                await connection.execute(sql)
            finally:
                await connection.close()

        asyncio.run(schema_ddl(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    else:
        schema = None
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'portal.sqlite3'}"
    # The tests' own API calls stand behind a proxy on loopback: each says, in X-Forwarded-For, a client
    # address of its own (client_address), so per-address limits count each test separately.
    env = {"PORTAL_UPLOAD_DIR": str(tmp_path_factory.mktemp("browser-uploads")),
           "PORTAL_SWEEP_SECONDS": str(sweep_seconds), "PORTAL_TRUSTED_PROXIES": "127.0.0.1"}
    try:
        with portal_server(url, "--demo", env=env, startup_seconds=120) as server:
            yield server, url
    finally:
        if schema is not None:
            asyncio.run(schema_ddl(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real portal with the demo catalog, halls and accounts, on a database of its own."""
    with demo_portal(tmp_path_factory) as (server, _):
        yield server


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


_addresses = itertools.count(1)


def client_address() -> str:
    """A client address of the test's own (the test portal trusts X-Forwarded-For from loopback, see
    demo_portal), so that the per-address limits on sign-in and registration count each test separately."""
    n = next(_addresses)
    return f"10.200.{n // 250 % 250}.{n % 250 + 1}"


class Browsing:
    """Opens pages in fresh browser contexts at the phone or desktop size and collects console errors."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.console_errors: list[str] = []

    async def page(self, viewport: dict[str, int] = PHONE, **options: Any) -> Page:
        context = await self.browser.new_context(
            base_url=self.base_url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
            extra_http_headers={"x-forwarded-for": client_address()}, service_workers="allow", **options)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = await context.new_page()
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        return page

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest_asyncio.fixture
async def browsing(browser: Browser, portal_url: str) -> AsyncIterator[Browsing]:
    session = Browsing(browser, portal_url)
    try:
        yield session
    finally:
        await session.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save the page as ``screenshots/<name>-<width>x<height>.png`` (a test artefact, git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def assert_accessible(page: Page) -> None:
    """axe-core (WCAG 2.1 A/AA rules) in the page: no serious or critical violation."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, options={"runOnly": {"type": "tag",
                                                         "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in serious)


def graphql(base_url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict:
    """The API as another terminal would call it (a handler approving, say); returns ``data``."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    headers["x-forwarded-for"] = client_address()
    response = httpx.post(f"{base_url}/graphql", json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=30)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def sign_in(base_url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """A bearer token for a demo account."""
    data = graphql(base_url, "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
                             "{ __typename ... on AuthPayload { token } ... on UserError { message } } }",
                   {"u": username, "p": password})
    assert data["login"]["__typename"] == "AuthPayload", data
    return data["login"]["token"]


def words(text: str) -> str:
    """Text with runs of white space folded, for comparing what a page shows."""
    return re.sub(r"\s+", " ", text).strip()
