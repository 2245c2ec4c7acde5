"""The shell of the mobile client: the site root opens it, it installs a service worker, and
it tells a missing screen apart from a broken one."""

from __future__ import annotations

from tests.browser.conftest import Browsing, words


async def test_site_root_opens_the_mobile_client_with_its_service_worker(browsing: Browsing) -> None:
    page = await browsing.page()
    await page.goto("/")
    assert page.url.endswith("/m/")
    await page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    registration = await page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert registration == f"{browsing.base_url}/m/"
    assert await page.get_attribute("html", "lang") == "zh-CN"


async def test_an_unknown_screen_says_so(browsing: Browsing) -> None:
    page = await browsing.page()
    await page.goto("/m/#/no-such-screen")
    await page.wait_for_selector("main h1")
    assert words(await page.inner_text("main h1")) == "找不到这个页面"
    assert browsing.console_errors == []
