"""The installable client away from the network and for older people: after one visit the shell, the last
catalog and a bundle page open offline with a visible notice; the elder switch (适老化) enlarges the text,
uses simpler wording and is remembered on the device."""

from __future__ import annotations

from playwright.async_api import Page, expect

from portal.catalog.source import read_catalog
from tests.browser.conftest import PHONE, Browsing, assert_accessible, screenshot, words

OFFLINE_NOTICE = "当前处于离线状态，显示的是上次访问时保存的内容"

BUNDLE_COUNT = len(read_catalog().bundles)


async def font_size(page: Page, selector: str) -> str:
    return await page.locator(selector).first.evaluate("element => getComputedStyle(element).fontSize")


async def test_the_catalog_of_the_very_first_visit_opens_offline(browsing: Browsing) -> None:
    page = await browsing.page(PHONE)
    await page.goto("/m/")
    await expect(page.locator(".catalog-count")).to_have_text(f"共 {BUNDLE_COUNT} 件事")
    # The first load came before the service worker; once it takes over, the list is loaded through it.
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    kept = "caches.open('portal-data').then(cache => cache.keys()).then(keys => keys.length)"
    for _ in range(100):
        if await page.evaluate(kept):
            break
        await page.wait_for_timeout(100)
    await page.context.set_offline(True)
    await page.reload()
    await expect(page.locator(".catalog-count")).to_have_text(f"共 {BUNDLE_COUNT} 件事")
    await expect(page.locator("#offline-notice")).to_have_text(OFFLINE_NOTICE)


async def test_the_shell_the_last_catalog_and_a_visited_bundle_open_offline(browsing: Browsing) -> None:
    page = await browsing.page(PHONE)
    await page.goto("/m/")
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # One visit under the service worker: a bundle page, then back to the list.
    await page.locator(".bundle-card").get_by_role("link", name="新生儿出生一件事").click()
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    await page.get_by_role("link", name="返回一件事列表").click()
    await expect(page.locator(".catalog-count")).to_have_text(f"共 {BUNDLE_COUNT} 件事")
    names = await page.locator(".bundle-card h2").all_inner_texts()
    await expect(page.locator("#offline-notice")).to_be_hidden()

    await page.context.set_offline(True)
    await page.reload()
    await expect(page.locator(".catalog-count")).to_have_text(f"共 {BUNDLE_COUNT} 件事")
    assert await page.locator(".bundle-card h2").all_inner_texts() == names
    await expect(page.locator("#offline-notice")).to_have_text(OFFLINE_NOTICE)
    await expect(page.locator("#offline-notice")).to_have_attribute("role", "status")

    await page.locator(".bundle-card").get_by_role("link", name="新生儿出生一件事").click()
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    assert [words(name) for name in await page.locator(".bundle-item h4").all_inner_texts()] == [
        "出生医学证明首次签发", "预防接种证办理（新生儿建证）", "出生登记（新生儿落户）",
        "新生儿城乡居民基本医疗保险参保登记", "新生儿社会保障卡申领"]
    await expect(page.locator("#offline-notice")).to_have_text(OFFLINE_NOTICE)
    await screenshot(page, "bundle-offline")

    # A bundle never visited cannot open offline, and the page says why.
    await page.goto("/m/#/bundle/retirement")
    await expect(page.locator("main h1")).to_have_text("暂时无法打开这件事")
    await expect(page.locator("main .error-summary h2")).to_have_text("网络连接不可用")

    await page.context.set_offline(False)
    await page.reload()
    await expect(page.locator("main h1")).to_have_text("退休一件事")
    await expect(page.locator("#offline-notice")).to_be_hidden()


async def test_the_elder_switch_enlarges_the_text_and_is_remembered(browsing: Browsing) -> None:
    page = await browsing.page(PHONE)
    await page.goto("/m/#/bundle/newborn")
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    switch = page.locator("#elder-switch")
    await expect(switch).to_have_attribute("role", "switch")
    await expect(switch).to_have_attribute("aria-checked", "false")
    await expect(switch).to_have_text("长辈模式：关")
    assert await font_size(page, "body") == "16px"
    assert await font_size(page, ".bundle-item__start") == "16px"
    assert await font_size(page, "main .lead") == "17.6px"

    await switch.click()
    await expect(switch).to_have_attribute("aria-checked", "true")
    # The switch's own text says the mode it is in.
    await expect(switch).to_have_text("长辈模式：开")
    assert await font_size(page, "body") == "21px"
    assert await font_size(page, ".bundle-item__start") == "21px"
    assert await font_size(page, "main .lead") == "23.1px"
    # The simpler wording shows at once, and the focus stays on the switch.
    await expect(page.locator(".bundle-item__start").nth(2)).to_have_text("“出生医学证明首次签发”办好后才开始")
    await expect(switch).to_be_focused()

    # Remembered on this device.
    await page.reload()
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    await expect(switch).to_have_attribute("aria-checked", "true")
    assert await font_size(page, "body") == "21px"
    await expect(page.locator(".bundle-item__start").nth(2)).to_have_text("“出生医学证明首次签发”办好后才开始")
    await expect(page.locator(".material", has_text="医学出生记录").locator(".tag")).to_have_text("需要拍照上传")
    await assert_accessible(page)
    await screenshot(page, "bundle-elder")

    # A screen with something typed in is not redrawn: the type changes at once, the wording on the next screen.
    await page.goto("/m/#/signin")
    await page.fill("#field-username", "13805310001")
    await switch.click()
    await expect(switch).to_have_attribute("aria-checked", "false")
    await expect(page.locator("#field-username")).to_have_value("13805310001")
    await switch.click()

    # A switch works from the keyboard too.
    await switch.focus()
    await page.keyboard.press("Space")
    await expect(switch).to_have_attribute("aria-checked", "false")
    await expect(switch).to_have_text("长辈模式：关")
    assert await font_size(page, "body") == "16px"
