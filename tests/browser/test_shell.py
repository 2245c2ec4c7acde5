"""The shell of the mobile client: the site root opens it, Chromium finds it installable, it tells a missing
screen apart from a broken one, it is usable with the keyboard alone, and every main screen fits 360 px."""

from __future__ import annotations

import json

from playwright.async_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, DESKTOP, Browsing, graphql, sign_in, words


async def test_site_root_opens_the_mobile_client_with_its_service_worker(browsing: Browsing) -> None:
    page = await browsing.page()
    await page.goto("/")
    assert page.url.endswith("/m/")
    await page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    registration = await page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert registration == f"{browsing.base_url}/m/"
    assert await page.get_attribute("html", "lang") == "zh-CN"
    # What Chromium itself checks before it offers to install the app (manifest, icons, service worker).
    devtools = await page.context.new_cdp_session(page)
    errors = (await devtools.send("Page.getInstallabilityErrors"))["installabilityErrors"]
    # Playwright's contexts are incognito-like; that one is about the browser, not the app.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = await devtools.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"] == f"{browsing.base_url}/m/manifest.webmanifest"


async def test_an_unknown_screen_says_so(browsing: Browsing) -> None:
    page = await browsing.page()
    await page.goto("/m/#/no-such-screen")
    await page.wait_for_selector("main h1")
    assert words(await page.inner_text("main h1")) == "找不到这个页面"
    assert browsing.console_errors == []


async def test_a_desktop_user_signs_in_and_opens_a_bundle_with_the_keyboard_alone(browsing: Browsing) -> None:
    page = await browsing.page(DESKTOP)
    await page.goto("/m/")
    await page.locator("main h1").wait_for()
    focused = "document.activeElement"
    # A new screen puts the focus on its heading (a screen reader announces it).
    await expect(page.locator("main h1")).to_be_focused()

    async def back_to(label: str) -> list[str]:
        """Shift+Tab until the element reading ``label``; every stop is a link or a button."""
        stops = []
        for _ in range(20):
            await page.keyboard.press("Shift+Tab")
            text = await page.evaluate(f"{focused}.textContent")
            assert await page.evaluate(f"{focused}.tagName") in ("A", "BUTTON"), text
            stops.append(text)
            if text == label:
                return stops
        raise AssertionError(f"{label} is not reachable with the keyboard: {stops}")

    assert await back_to("跳到主要内容") == ["注册", "登录", "公开数据", "一件事", "长辈模式：关", "爱山东", "跳到主要内容"]
    await page.keyboard.press("Enter")
    assert await page.evaluate(f"{focused}.id") == "main"
    await page.keyboard.press("Tab")
    assert await page.evaluate(f"{focused}.closest('main') !== null")
    await back_to("登录")
    await page.keyboard.press("Enter")
    await expect(page.locator("main h1")).to_have_text("登录")
    await page.keyboard.press("Tab")
    await page.keyboard.type("13805310001")
    assert await page.evaluate(f"{focused}.id") == "field-username"
    await page.keyboard.press("Tab")
    await page.keyboard.type(DEMO_PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.locator(".site-nav__name")).to_have_text("李梅")
    # The focus moves to the new screen's heading; the first bundle card is a few tabs away.
    await expect(page.locator("main h1")).to_have_text("高效办成一件事")
    await expect(page.locator("main h1")).to_be_focused()
    for _ in range(30):
        await page.keyboard.press("Tab")
        href = await page.evaluate(f"{focused}.getAttribute('href') || ''")
        if href.startswith("#/bundle/"):
            break
    else:
        raise AssertionError("no bundle is reachable with the keyboard")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{browsing.base_url}/m/{href}")
    # The bundle page offers its form, or says first why it cannot be applied for here (availability.js).
    await expect(page.locator(".bundle-facts__start a, .apply-notice--warning").first).to_be_visible()
    assert browsing.console_errors == []


NARROWEST = {"width": 360, "height": 740}
WHO_AM_I = "{ me { account { id kind displayName } } }"


async def signed_in(browsing: Browsing, username: str) -> Page:
    token = sign_in(browsing.base_url, username)
    account = graphql(browsing.base_url, WHO_AM_I, token=token)["me"]["account"]
    session = {"token": token, "expiresAt": "2100-01-01T00:00:00+08:00", "account": account}
    page = await browsing.page(NARROWEST)
    await page.add_init_script(f"localStorage.setItem('portal.session', {json.dumps(json.dumps(session))})")
    return page


async def test_every_main_screen_fits_a_360_px_phone_without_sideways_scrolling(browsing: Browsing) -> None:
    screens = {None: ["/", "/bundle/newborn", "/signin", "/signup", "/figures", "/survey-results"],
               # 李梅 is the demo enterprise's agent: she has the appeals zone too.
               "13805310001": ["/apply/newborn", "/applications", "/lutong", "/appeals", "/appeals/new"],
               "91370102MA3C5QX1XY": ["/appeals", "/appeals/new", "/appeals/new?channel=MAILBOX"]}
    for username, paths in screens.items():
        page = await signed_in(browsing, username) if username else await browsing.page(NARROWEST)
        for path in paths:
            await page.goto(f"/m/#{path}")
            await page.locator("main h1").wait_for()
            await expect(page.locator("main .loading")).to_have_count(0)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= NARROWEST["width"], f"{path} is {width} px wide"
    assert browsing.console_errors == []
