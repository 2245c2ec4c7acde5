"""服务包 / 明白纸 side by side (issue 18): the 历下区 supervisor composes a pack on the staff desktop — a field left
empty is refused next to itself — and publishes it for 住宿和餐饮业 in 历下区; the demo restaurant company's phone,
open on its inbox, shows it at once marked 未读; the company opens it (the read receipt) and the supervisor's
figures, open on the pack, go to 1 read of 1 targeted, live. Each screen passes axe and is saved as a screenshot."""

from __future__ import annotations

import uuid

from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browsing, assert_accessible, screenshot
from tests.browser.test_lutong_and_appeals import log_in, signed_in_page
from tests.browser.test_window import check_screen, staff_page

ENTERPRISE = "91370102MA3C5QX1XY"  # 济南泉城餐饮管理有限公司, 历下区, 住宿和餐饮业 (H) in the demo
SUPERVISOR = "supervisor-lixia"


async def test_a_published_pack_reaches_the_phone_unread_and_its_read_is_counted(browsing: Browsing) -> None:
    base = browsing.base_url
    phone = await signed_in_page(browsing, PHONE, log_in(base, ENTERPRISE))
    await phone.goto("/m/#/packs")
    await expect(phone.get_by_role("heading", name="惠企服务包", level=1)).to_be_visible()

    desk = await staff_page(browsing, SUPERVISOR)
    await desk.goto("/window/#/packs")
    await desk.get_by_role("link", name="编发服务包").click()
    await expect(desk.get_by_role("heading", name="编发服务包", level=1)).to_be_visible()
    title = f"餐饮企业稳岗扩岗补贴明白纸 {uuid.uuid4().hex[:6]}"
    await desk.get_by_label("标题", exact=True).fill(title)
    await desk.get_by_label("摘要").fill("历下区住宿和餐饮业小微企业新招用高校毕业生，可领取一次性扩岗补贴。")
    await desk.get_by_role("button", name="发布并推送").click()
    await expect(desk.locator(".error-summary")).to_be_visible()
    await expect(desk.locator("#error-field-sections-0-heading")).to_be_visible()
    await expect(desk.locator("#error-field-industries")).to_be_visible()
    await desk.get_by_label("要点标题").fill("谁可以申请")
    await desk.get_by_label("要点内容").fill("在历下区登记注册、从事住宿和餐饮业的小微企业。")
    await desk.get_by_role("button", name="添加一条要点").click()
    await desk.locator("#field-sections-1-heading").fill("能领多少")
    await desk.locator("#field-sections-1-text").fill("每招用一名高校毕业生，一次性补贴1500元。")
    assert await desk.get_by_label("推送地区").input_value() == "370102"
    await desk.get_by_label("H 住宿和餐饮业").check()
    await check_screen(desk, "pack-compose")
    await desk.get_by_role("button", name="发布并推送").click()

    await expect(desk.get_by_role("heading", name=title, level=1)).to_be_visible()
    total = desk.locator("#pack-total")
    await expect(total.locator("td[data-figure='targeted']")).to_have_text("1")
    await expect(total.locator("td[data-figure='read']")).to_have_text("0")
    await check_screen(desk, "pack-figures")

    # The phone hears the push on its open inbox: the pack comes first, marked unread.
    card = phone.locator(".pack-card", has_text=title)
    await expect(card).to_be_visible()
    await expect(card.locator(".tag")).to_have_text("未读")
    await expect(phone.locator(".pack-card").first).to_contain_text(title)
    await assert_accessible(phone)
    await screenshot(phone, "mobile-packs")
    await card.click()
    await expect(phone.get_by_role("heading", name=title, level=1)).to_be_visible()
    await expect(phone.locator("#pack-read")).to_have_text("已读")
    await expect(phone.get_by_role("heading", name="能领多少")).to_be_visible()
    await assert_accessible(phone)
    await screenshot(phone, "mobile-pack")

    # The staff screen's read count goes to 1, live; opening it again counts nothing more.
    await expect(total.locator("td[data-figure='read']")).to_have_text("1")
    await expect(total.locator("td[data-figure='readRate']")).to_have_text("100.0%")
    await phone.goto("/m/#/packs")
    await expect(phone.locator(".pack-card", has_text=title).locator(".tag")).to_have_count(0)
    await phone.locator(".pack-card", has_text=title).click()
    await expect(phone.locator("#pack-read")).to_be_visible()
    await desk.goto("/window/#/packs")
    row = desk.locator("#pack-list tr", has_text=title)
    await expect(row.locator("td[data-figure='read']")).to_have_text("1")
    await expect(row.locator("td[data-figure='targeted']")).to_have_text("1")
    await check_screen(desk, "packs")
    assert not browsing.console_errors, browsing.console_errors
