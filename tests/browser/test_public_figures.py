"""The public figures page (公开数据) of the phone and desktop, read without signing in, beside an enterprise's phone.

Anyone opens 公开数据 from the navigation: the zone's figures of the province for the last 12 months, 调度 (each
month as bars and a table), the grades, the governor's mailbox with its own monthly figures, the units and the
published survey results. The demo enterprise writes a letter to the governor's mailbox on its phone; after a reload
the public page counts one more letter this month. A city can be chosen; the page fits a 360 px phone, in elder mode
too. The TV (at home, or a hall's screen) shows the same months as bars the remote moves along.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, Browsing, assert_accessible, screenshot, words
from tests.browser.test_lutong_and_appeals import log_in, signed_in_page
from tests.browser.test_tv import TV, artefact, focus_on, key_to, press, walk

ENTERPRISE = "91370102MA3C5QX1XY"  # the demo enterprise, 历下区 (济南市)
NARROWEST = {"width": 360, "height": 740}


def this_month() -> str:
    return f"{datetime.now(ZoneInfo('Asia/Shanghai')):%Y-%m}"


async def mailbox_letters_this_month(page: Page) -> int:
    cell = page.locator(f"#figures-mailbox-monthly tr[data-row='{this_month()}'] td[data-figure='received']")
    return int(await cell.inner_text())


async def open_figures(page: Page) -> None:
    await page.goto("/m/#/")
    await page.locator("main h1").wait_for()
    await page.get_by_role("navigation", name="主导航").get_by_role("link", name="公开数据").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("公开数据")
    await expect(page.locator("main .loading")).to_have_count(0)
    await expect(page.locator(".figures .status-line")).to_contain_text("山东省")


async def test_anyone_reads_the_monthly_and_mailbox_figures_and_a_new_letter_counts(browsing: Browsing) -> None:
    public = await browsing.page(PHONE)
    await open_figures(public)
    await expect(public.get_by_role("link", name="公开数据")).to_have_attribute("aria-current", "page")
    # 调度: the last 12 months, oldest first, as bars and as a table of the same figures.
    await expect(public.locator("#figures-monthly tbody tr")).to_have_count(12)
    await expect(public.locator("#figures-monthly-chart li")).to_have_count(12)
    assert await public.locator("#figures-monthly tbody tr").last.get_attribute("data-row") == this_month()
    # The demo's appeals of the year are there: months before this one have figures.
    received = [int(text) for text in
                await public.locator("#figures-monthly td[data-figure='received']").all_inner_texts()]
    assert sum(received[:-1]) > 0, received
    for key in ("complaintsPer10k", "resolutionRate", "satisfactionRate", "contactOnTimeRate",
                "resolveOnTimeRate", "resolvedAtFirstContact", "firstContactRate"):
        await expect(public.locator(f"#figures-appeals td[data-figure='{key}']")).to_have_count(1)
    await expect(public.locator("#figures-urgency tbody tr th")).to_have_text(["特急", "紧急", "一般"])
    await expect(public.locator("#figures-kind tbody tr th")).to_have_text(["投诉", "咨询", "建议", "举报"])
    await expect(public.locator("#figures-channel tr[data-row='MAILBOX'] th")).to_have_text("省长信箱")
    await expect(public.get_by_role("heading", name="省长信箱", level=2)).to_be_visible()
    await expect(public.locator("#figures-mailbox-monthly tbody tr")).to_have_count(12)
    await expect(public.locator("#figures-departments tbody tr").first).to_be_visible()
    await expect(public.locator("#figures-surveys .survey-results").first).to_be_visible()
    before = await mailbox_letters_this_month(public)
    all_before = int(await public.locator("#figures-appeals td[data-figure='received']").inner_text())
    await assert_accessible(public)
    await screenshot(public, "public-figures")

    # Side by side: the demo enterprise writes to the governor's mailbox on its phone.
    company = log_in(browsing.base_url, ENTERPRISE)
    phone = await signed_in_page(browsing, PHONE, company)
    await phone.goto("/m/#/appeals/new?channel=MAILBOX")
    await phone.get_by_role("heading", name="写信给省长", level=1).wait_for()
    await phone.get_by_label("建议", exact=True).check()
    await phone.get_by_label("诉求标题").fill(f"建议延长政务大厅周末服务时间 {uuid.uuid4().hex[:6]}")
    await phone.get_by_label("诉求内容").fill("餐饮企业工作日难以抽身办事，建议政务服务大厅周六全天开放，方便经营者。")
    await phone.get_by_label("诉求类别").select_option(label="审批服务")
    await phone.get_by_role("button", name="寄出信件").click()
    await phone.get_by_text("实时更新中").wait_for()

    await public.reload()
    await expect(public.locator("main .loading")).to_have_count(0)
    await expect(public.locator("#figures-mailbox-monthly")).to_be_visible()
    assert await mailbox_letters_this_month(public) == before + 1
    await expect(public.locator("#figures-appeals td[data-figure='received']")).to_have_text(str(all_before + 1))
    assert browsing.console_errors == []


async def test_a_city_and_a_period_are_chosen_and_the_page_fits_a_phone_in_elder_mode(browsing: Browsing) -> None:
    page = await browsing.page(NARROWEST)
    await open_figures(page)
    await page.get_by_label("地区").select_option(label="济南市")
    await page.get_by_label("开始日期").fill("2026-01-01")
    await page.get_by_label("结束日期").fill("2026-03-31")
    await page.get_by_role("button", name="查看统计").click()
    await expect(page.locator(".figures .status-line")).to_have_text("济南市 2026-01-01 至 2026-03-31 的数据")
    assert "region=370100" in page.url
    await expect(page.locator("#figures-monthly tbody tr")).to_have_count(3)
    await expect(page.get_by_label("地区")).to_have_value("370100")

    # A period longer than a year is refused next to its date.
    await page.get_by_label("开始日期").fill("2024-01-01")
    await page.get_by_role("button", name="查看统计").click()
    await expect(page.locator(".field-error")).to_have_count(1)

    await page.goto("/m/#/figures")
    await expect(page.locator("main .loading")).to_have_count(0)
    await page.locator("#elder-switch").click()
    await expect(page.locator("#elder-switch")).to_have_attribute("aria-checked", "true")
    await expect(page.locator("main .lead")).to_contain_text("企业诉求每个月办了多少")
    await expect(page.locator("#figures-monthly tbody tr")).to_have_count(12)
    for _ in range(2):
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROWEST["width"], f"the figures are {width} px wide"
        await page.locator("#elder-switch").click()
    text = words(await page.locator("main").inner_text())
    assert "91370102MA3C5QX1XY" not in text and "济南泉城餐饮管理有限公司" not in text
    await screenshot(page, "public-figures-narrow")
    assert browsing.console_errors == []


def month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


async def test_the_tv_walks_the_monthly_series_with_the_remote(browsing: Browsing) -> None:
    tv = await browsing.page(TV)
    await tv.goto("/tv/")
    await focus_on(tv, "扫码登录")
    await press(tv, "ArrowRight")
    await key_to(tv, "ArrowRight", "公开数据")
    await press(tv, "Enter")
    await expect(tv.locator("main h1")).to_have_text("公开数据 · 山东省")
    # This month's bar has the focus, and its figures are written beside the bars.
    now = this_month()
    await tv.wait_for_function("(m) => document.activeElement?.dataset.month === m", arg=now)
    await expect(tv.locator("#tv-month h2")).to_have_text(f"{now[:4]}年{int(now[5:])}月")
    assert await tv.locator(".tv-bar").count() == 12
    await press(tv, "ArrowLeft")
    before = month_before(now)
    await tv.wait_for_function("(m) => document.activeElement?.dataset.month === m", arg=before)
    await expect(tv.locator("#tv-month h2")).to_have_text(f"{before[:4]}年{int(before[5:])}月")
    shown = tv.locator(f".tv-bar[data-month='{before}'] .tv-bar__count")
    await expect(tv.locator("#tv-month dd[data-figure='received']")).to_have_text(
        (await shown.inner_text()).removesuffix(" 件"))
    await expect(tv.locator("#tv-month dd[data-figure='mailbox']")).to_have_count(1)
    await walk(tv, "figures")
    await artefact(tv, "tv-figures")

    # Up to the regions: a city's figures; Back goes home.
    await tv.locator(".tv-chip", has_text="济南市").focus()
    await press(tv, "Enter")
    await expect(tv.locator("main h1")).to_have_text("公开数据 · 济南市")
    await key_to(tv, "Escape", "扫码登录")
    assert browsing.console_errors == []
