"""The appeals back office in the window terminal (issue 13), people side by side, each signed in as themselves.

The demo enterprise files an appeal on its phone; the 96178 seat finds it in the routing worklist with the keyboard
and routes it to 济南市市场监督管理局; the unit's handler sees it with the 2115 countdown, contacts the enterprise,
gives its opinion and resolves it while the enterprise's phone shows each step live; the enterprise confirms it
is satisfied; the Jinan supervisor's figures show one more appeal received and one more resolved. Then the seat
records a call with the keyboard alone (field errors next to their fields), merges it into the similar appeal it is
offered and routes that one; its contact deadline is made to pass (this module's server sweeps every second), and
the missed deadline appears live on the supervisor's and the unit's screens; the supervisor's 督办 reaches the unit
live too. A unit's 退单 reaches the coordinator's open page at once; rejected, then upheld by routing elsewhere.
Every screen passes axe, has no sideways scroll at 1280 and 1920 wide, and is saved as a screenshot.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, Browsing, demo_portal, graphql, sign_in, words
from tests.browser.test_lutong_and_appeals import civil, log_in, signed_in_page, step_text
from tests.browser.test_window import DESK, check_screen, sign_in_by_keyboard, staff_page, tab_to

ENTERPRISE = "91370102MA3C5QX1XY"  # 历下区: overseen by the Jinan supervisor
COMPANY = "济南泉城餐饮管理有限公司"
SEAT = "seat-96178"
HANDLER = "handler-scjgj"
UNIT = "370100-SCJGJ"
UNIT_NAME = "济南市市场监督管理局"
SUPERVISOR = "supervisor-jinan"
REGION = "370100"
STATS = """query($region: String!, $from: Date!, $to: Date!) {
  appealStats(regionCode: $region, from: $from, to: $to) { received resolutionRate }
}"""
RECORD = """mutation($input: RecordHotlineAppealInput!) {
  recordHotlineAppeal(input: $input) { __typename ... on Appeal { id number } }
}"""
SLA = "query($id: ID!) { appeal(id: $id) { status sla { contactBy } } }"


@pytest.fixture(scope="module")
def swept_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A demo portal of this module's whose deadline sweep runs every second, and its database."""
    with demo_portal(tmp_path_factory, sweep_seconds=1) as server:
        yield server


@pytest.fixture(scope="module")
def portal_url(swept_portal: tuple[str, str]) -> str:
    return swept_portal[0]


def period() -> dict[str, str]:
    """The figures page's own default period: the last 12 months (from the first day of the month 11 months back)
    up to today, in Shanghai."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    back = today.year * 12 + today.month - 1 - 11
    return {"from": f"{back // 12}-{back % 12 + 1:02d}-01", "to": today.isoformat()}


def resolved(stats: dict) -> int:
    return round((stats["resolutionRate"] or 0) * stats["received"])


async def figure(page: Page, table: str, key: str) -> str:
    return words(await page.locator(f"#{table} td[data-figure='{key}']").inner_text())


async def move_contact_deadline(database: str, appeal_id: str, hours: int) -> None:
    """The appeal's contact deadline `hours` earlier, straight in the server's database: the test cannot wait two
    hours, and the server's clock is its own. The server's sweep then finds the step missed, as it would."""
    if database.startswith("sqlite"):
        with closing(sqlite3.connect(database.removeprefix("sqlite:///"))) as db:
            (old,) = db.execute("SELECT contact_by FROM appeal WHERE id = ?", (int(appeal_id),)).fetchone()
            # Stored as Tortoise writes it (ISO text); compared as text by the sweep, so written alike.
            moved = (datetime.fromisoformat(old) - timedelta(hours=hours)).isoformat(sep=old[10])
            db.execute("UPDATE appeal SET contact_by = ? WHERE id = ?", (moved, int(appeal_id)))
            db.commit()
        return
    import asyncpg

    parts = urlsplit(database)
    schema = parse_qs(parts.query)["schema"][0]
    connection = await asyncpg.connect(database.split("?", 1)[0], server_settings={"search_path": schema})
    try:
        await connection.execute("UPDATE appeal SET contact_by = contact_by - make_interval(hours => $1) "
                                 "WHERE id = $2", hours, int(appeal_id))
    finally:
        await connection.close()


async def refused_then_done(page: Page, button: str, field: str, refused: str, label: str, text: str,
                            done: str) -> None:
    """An action whose text is required: sent empty, the API's refusal shows next to the field; with the text,
    the page says it is done."""
    await page.get_by_role("button", name=button).click()
    await expect(page.locator(f"#error-field-{field}")).to_have_text(refused)
    assert await page.get_by_label(label).get_attribute("aria-invalid") == "true"
    await page.get_by_label(label).fill(text)
    await page.get_by_role("button", name=button).click()
    await expect(page.locator(".desk-status")).to_have_text(done)


async def resolved_then_satisfied(handler: Page, phone: Page, summary: str) -> None:
    """The unit's handler resolves the appeal open on their page; the enterprise's phone offers the confirmation
    live with the summary in the timeline, and the enterprise chooses satisfied and 5 stars (not yet sent)."""
    await handler.get_by_label("办结情况").fill(summary)
    await handler.get_by_role("button", name="办结").click()
    await expect(handler.locator(".desk-status")).to_have_text("已办结，等待企业确认（现在：已办结待确认）")
    await phone.get_by_role("heading", name="确认办理结果").wait_for()
    assert (await step_text(phone, "办结")).endswith(f"按时完成 办结情况：{summary}")
    await phone.get_by_label("满意，问题已解决").check()
    await phone.locator("label[for='field-rating-5']").click()  # the star, as a finger taps it


async def test_an_appeal_from_the_phone_through_the_window_to_the_figures(browsing: Browsing) -> None:
    base = browsing.base_url
    supervisor = await staff_page(browsing, SUPERVISOR)
    await supervisor.goto("/window/")
    await expect(supervisor.get_by_role("heading", level=1)).to_have_text("督办")
    await supervisor.get_by_role("link", name="诉求统计").click()
    await expect(supervisor.get_by_role("heading", level=1)).to_have_text("诉求统计")
    before = graphql(base, STATS, {"region": REGION, **period()})["appealStats"]
    await expect(supervisor.locator("#figures-appeals td[data-figure='received']")).to_have_text(str(before["received"]))
    assert await supervisor.get_by_label("开始日期").input_value() == period()["from"]
    await check_screen(supervisor, "figures")

    # The enterprise files on its phone.
    company = log_in(base, ENTERPRISE)
    phone = await signed_in_page(browsing, PHONE, company)
    await phone.goto("/m/#/appeals/new")
    title = f"厂房扩建规划许可办理缓慢 {uuid.uuid4().hex[:6]}"
    await phone.get_by_label("诉求标题").fill(title)
    await phone.get_by_label("诉求内容").fill("我公司厂房扩建的规划许可申请已提交两个月，仍未办结，影响投产，请协调加快办理。")
    await phone.get_by_label("诉求类别").select_option(label="审批服务")
    await phone.get_by_label("投诉", exact=True).check()
    await phone.get_by_role("button", name="提交诉求").click()
    await phone.wait_for_url(re.compile(r"#/appeal/\d+$"))
    appeal_id = phone.url.rsplit("/", 1)[1]
    await phone.get_by_text("实时更新中").wait_for()

    # The coordinator finds it in the routing worklist with the keyboard and opens it.
    seat = await browsing.page(DESK)
    await sign_in_by_keyboard(seat, SEAT)
    await expect(seat.get_by_role("heading", level=1)).to_have_text("待分办诉求")
    await expect(seat.locator("#site-nav a[aria-current='page']")).to_have_text("待分办诉求")
    row = seat.locator("tbody tr").filter(has_text=title)
    filed = graphql(base, "query($id: ID!) { appeal(id: $id) { number createdAt } }", {"id": appeal_id},
                    company["token"])
    assert words(await row.inner_text()) == (
        f"{filed['appeal']['number']} {title} {COMPANY} 诉求专区 审批服务 一般·投诉 一般（2115） 待分办 {civil(filed['appeal']['createdAt'])}")
    await check_screen(seat, "appeals-route")
    await tab_to(seat, f"el.getAttribute('href') === '#/appeal/{appeal_id}'", limit=200)
    await seat.keyboard.press("Enter")
    await expect(seat.get_by_role("heading", level=1)).to_have_text(title)
    await expect(seat.locator(".clock")).to_have_text("不计时")
    await check_screen(seat, "appeal-route")
    # No unit chosen: said next to the choice; then routed.
    await seat.get_by_role("button", name="分办").click()
    await expect(seat.locator("#error-field-departmentCode")).to_have_text("请选择承办单位")
    await seat.get_by_label("承办单位").select_option(UNIT)
    await seat.get_by_role("button", name="分办").click()
    await expect(seat.locator(".desk-status")).to_have_text("已分办（现在：已交办）")
    await phone.get_by_text(f"承办单位：{UNIT_NAME}").wait_for()

    # The unit: its appeals with the 2115 countdown; 待办事项, 企业诉求, 服务包 and 通报约谈 in the navigation.
    handler = await staff_page(browsing, HANDLER)
    await handler.goto("/window/")
    await expect(handler.get_by_role("heading", level=1)).to_have_text("待办事项")
    await handler.get_by_role("link", name="企业诉求").click()
    await expect(handler.get_by_role("heading", level=1)).to_have_text("企业诉求")
    await expect(handler.locator("#site-nav a")).to_have_text(["待办事项", "企业诉求", "服务包", "通报约谈"])
    unit_row = handler.locator("tbody tr").filter(has_text=title)
    assigned = graphql(base, SLA, {"id": appeal_id}, sign_in(base, HANDLER))["appeal"]
    clock_text = words(await unit_row.locator(".clock").inner_text())
    assert re.fullmatch(rf"联系企业：还剩 1小时5\d分 （截止 {re.escape(civil(assigned['sla']['contactBy']))}）",
                        clock_text), clock_text
    await check_screen(handler, "unit-appeals")
    await unit_row.get_by_role("link", name=title).click()
    await expect(handler.get_by_role("heading", level=1)).to_have_text(title)
    await handler.get_by_text("实时更新中").wait_for()
    await check_screen(handler, "appeal-unit")

    await handler.get_by_role("button", name="已联系企业").click()
    await expect(handler.locator(".desk-status")).to_have_text("已登记联系企业（现在：已联系）")
    await phone.get_by_role("status").filter(has_text="办理进度已更新：已联系").wait_for()
    await expect(handler.locator(".appeal-clock .clock__text")).to_contain_text("出具办理意见：还剩")
    # The API's rule on the opinion shows next to it.
    opinion = "已电话联系企业，规划许可材料齐全，本周内完成审查。"
    await refused_then_done(handler, "出具办理意见", "opinion", "办理意见至少5个字", "办理意见", opinion,
                            "已出具办理意见（现在：已出具意见）")
    await phone.get_by_text(f"办理意见：{opinion}").wait_for()
    await resolved_then_satisfied(handler, phone, "规划许可已于今日核发，企业已领取。")
    await expect(phone.get_by_label("5 星：非常满意")).to_be_checked()
    await phone.get_by_role("button", name="提交确认").click()
    await phone.get_by_role("heading", name="您的确认").wait_for()
    # The unit's page followed it: closed, nothing left to do.
    await expect(handler.locator(".summary-list .tag").first).to_have_text("已办结")

    # The supervisor's figures: one more received, one more resolved.
    after = graphql(base, STATS, {"region": REGION, **period()})["appealStats"]
    assert after["received"] == before["received"] + 1
    assert resolved(after) == resolved(before) + 1
    await supervisor.get_by_role("button", name="查看统计").click()
    await expect(supervisor.locator("#figures-appeals td[data-figure='received']")).to_have_text(str(after["received"]))
    assert await figure(supervisor, "figures-appeals", "resolutionRate") == f"{after['resolutionRate'] * 100:.1f}%"
    unit = supervisor.locator(f"#figures-departments tr[data-row='{UNIT}']")
    assert words(await unit.locator("th").inner_text()) == UNIT_NAME
    bar = supervisor.locator(".bar-chart__row").filter(has_text=UNIT_NAME)
    assert re.fullmatch(rf"{UNIT_NAME} \d+ 件，办结率 \d+\.\d%", words(await bar.inner_text()))
    await check_screen(supervisor, "figures-after")

    # A period the API refuses is said next to the date it names; the figures shown stay.
    await supervisor.get_by_label("开始日期").fill("2024-01-01")
    await supervisor.get_by_role("button", name="查看统计").click()
    await expect(supervisor.locator("#error-field-to")).to_have_text("统计期间须在一年以内，且结束日期不早于开始日期")
    await supervisor.get_by_label("开始日期").fill("")
    await supervisor.get_by_role("button", name="查看统计").click()
    await expect(supervisor.locator("#error-field-from")).to_have_text("请选择开始日期")
    await check_screen(supervisor, "figures-errors")
    assert browsing.console_errors == []


async def test_a_call_recorded_by_keyboard_merged_routed_and_missed_alerts_the_supervisor(
        browsing: Browsing, swept_portal: tuple[str, str]) -> None:
    base, database = swept_portal
    seat_token = sign_in(base, SEAT)
    content = f"园区企业反映厂区周边道路长期积水，货车无法通行，影响原料运输，请协调排水改造。{uuid.uuid4().hex[:4]}"
    earlier = graphql(base, RECORD, {"input": {
        "creditCode": ENTERPRISE, "title": "厂区周边道路积水影响运输", "content": content, "category": "LAND",
        "channel": "HOTLINE", "idempotencyKey": str(uuid.uuid4())}}, seat_token)["recordHotlineAppeal"]
    assert earlier["__typename"] == "Appeal", earlier

    # The seat records the same complaint from a second call, with the keyboard alone.
    seat = await browsing.page(DESK)
    await sign_in_by_keyboard(seat, SEAT)
    await expect(seat.get_by_role("heading", level=1)).to_have_text("待分办诉求")
    await tab_to(seat, "el.getAttribute('href') === '#/appeals/new'")
    await seat.keyboard.press("Enter")
    await expect(seat.get_by_role("heading", level=1)).to_have_text("登记来电来信")
    await check_screen(seat, "appeal-record")
    await tab_to(seat, "el.type === 'submit'")
    await seat.keyboard.press("Enter")
    summary = seat.get_by_role("alert")
    assert [words(t) for t in await summary.locator("li").all_inner_texts()] == [
        "请填写统一社会信用代码", "请填写诉求标题", "请填写诉求内容", "请选择诉求类别", "请选择诉求类型"]
    await expect(seat.locator("#error-field-creditCode")).to_have_text("请填写统一社会信用代码")
    await check_screen(seat, "appeal-record-errors")

    await tab_to(seat, "el.id === 'field-creditCode'")
    await seat.keyboard.type(ENTERPRISE[:-1])
    await tab_to(seat, "el.id === 'field-title'")
    await seat.keyboard.type("厂区周边道路积水严重")
    await tab_to(seat, "el.id === 'field-content'")
    await seat.keyboard.type(content)
    await tab_to(seat, "el.id === 'field-category'")
    for _ in range(6):  # 请选择, 政策兑现, 审批服务, 融资信贷, 税费, 用工人才, 用地规划
        await seat.keyboard.press("ArrowDown")
    assert await seat.evaluate("document.activeElement.value") == "LAND"
    await tab_to(seat, "el.id === 'field-kind'")  # 诉求类型: the first radio, 投诉
    await seat.keyboard.press("Space")
    await expect(seat.get_by_label("投诉", exact=True)).to_be_checked()
    await tab_to(seat, "el.type === 'submit'")
    await seat.keyboard.press("Enter")
    await expect(seat.locator("#error-field-creditCode")).to_have_text(
        "统一社会信用代码应为18位，您填写了17位，请核对后重新输入")
    # Without a valid code the enterprise is not known, so its name is asked too; what was typed stays.
    assert [words(t) for t in await seat.locator(".field-error").all_inner_texts()] == [
        "统一社会信用代码应为18位，您填写了17位，请核对后重新输入", "企业名称至少2个字"]
    assert await seat.get_by_label("诉求内容").input_value() == content
    await tab_to(seat, "el.id === 'field-creditCode'")
    await seat.keyboard.press("End")
    await seat.keyboard.type(ENTERPRISE[-1])
    await tab_to(seat, "el.type === 'submit'")
    await seat.keyboard.press("Enter")
    await seat.wait_for_url(re.compile(r"#/appeal/\d+\?recorded=1$"))
    recorded_id = seat.url.split("/appeal/", 1)[1].split("?")[0]
    recorded = graphql(base, "query($id: ID!) { appeal(id: $id) { number } }", {"id": recorded_id}, seat_token)
    await expect(seat.locator(".desk-status")).to_have_text(
        f"已登记，受理编号 {recorded['appeal']['number']}。请查看同类诉求，然后分办。")

    # The similar appeal is offered; the call is merged into it.
    similar = seat.locator(".similar-list li").filter(has_text="厂区周边道路积水影响运输")
    await similar.wait_for()
    offered = words(await similar.inner_text())
    assert re.fullmatch(rf"厂区周边道路积水影响运输 受理编号 {earlier['number']} · {COMPANY} · 待分办 · 相似度 \d+% 并入这条诉求",
                        offered), offered
    await check_screen(seat, "appeal-similar")
    await tab_to(seat, "el.textContent === '并入这条诉求'")
    await seat.keyboard.press("Enter")
    await expect(seat.locator(".desk-status")).to_have_text("已合并（现在：已合并）")

    # The earlier appeal is routed to the unit.
    await seat.goto(f"/window/#/appeal/{earlier['id']}")
    await seat.get_by_label("承办单位").select_option(UNIT)
    await seat.get_by_role("button", name="分办").click()
    await expect(seat.locator(".desk-status")).to_have_text("已分办（现在：已交办）")

    supervisor = await staff_page(browsing, SUPERVISOR)
    await supervisor.goto("/window/#/supervise")
    await expect(supervisor.get_by_role("heading", level=1)).to_have_text("督办")
    await supervisor.locator(".alerts").get_by_text("实时更新中").wait_for()
    await check_screen(supervisor, "supervise")
    handler = await staff_page(browsing, HANDLER)
    await handler.goto("/window/#/unit-appeals")
    await handler.locator(".alerts").get_by_text("实时更新中").wait_for()

    # Its contact deadline passes: the sweep records the miss, and both screens show it at once.
    await move_contact_deadline(database, earlier["id"], hours=3)
    alert = supervisor.locator(".alert-entry").filter(has_text=f"诉求 {earlier['id']}")
    await alert.wait_for(timeout=20_000)
    due = graphql(base, SLA, {"id": earlier["id"]}, seat_token)["appeal"]["sla"]["contactBy"]
    assert words(await alert.inner_text()).startswith(
        f"超时 诉求 {earlier['id']}“厂区周边道路积水影响运输” 联系企业已超过时限（截止 {civil(due)}） · {UNIT_NAME} · 提醒于 ")
    await handler.locator(".alert-entry").filter(has_text=f"诉求 {earlier['id']}").wait_for()
    await check_screen(supervisor, "supervise-alert")
    await handler.reload()
    late = handler.locator("tbody tr").filter(has_text="厂区周边道路积水影响运输")
    assert re.fullmatch(r"已超时 联系企业：已超时 1小时\d+分 （截止 .+）", words(await late.locator(".clock").inner_text()))

    # 督办 from the alert: a reason is required; given, the unit hears of it live.
    await alert.get_by_role("link").click()
    await expect(supervisor.get_by_role("heading", level=1)).to_have_text("厂区周边道路积水影响运输")
    await check_screen(supervisor, "appeal-supervise")
    await refused_then_done(supervisor, "督办", "reason", "督办事由至少2个字", "督办事由", "超过2小时未联系企业，请立即联系。",
                            "已督办，承办单位已收到提醒")
    await handler.locator(".alert-entry").filter(has_text="被督办：超过2小时未联系企业，请立即联系。").wait_for()
    await supervisor.locator("summary", has_text="列为常务会议议题").click()
    await supervisor.get_by_role("button", name="列为常务会议议题").click()
    await expect(supervisor.locator("#error-field-meetingReason")).to_have_text("提请理由至少2个字")
    await supervisor.get_by_label("提请理由").fill("涉及多个部门的排水改造，需省政府统筹。")
    await supervisor.get_by_role("button", name="列为常务会议议题").click()
    await expect(supervisor.locator(".desk-status")).to_have_text("已列为常务会议议题")
    await supervisor.goto("/window/#/supervise")
    await supervisor.locator(".topic-list li").filter(has_text="厂区周边道路积水影响运输").wait_for()
    assert browsing.console_errors == []


async def test_a_return_is_rejected_then_upheld_while_both_pages_follow(browsing: Browsing) -> None:
    base = browsing.base_url
    seat_token = sign_in(base, SEAT)
    recorded = graphql(base, RECORD, {"input": {
        "creditCode": ENTERPRISE, "title": "食堂燃气改造审批咨询", "category": "ENERGY", "channel": "VISIT",
        "content": f"企业食堂计划改用管道燃气，需要了解审批流程和材料要求。{uuid.uuid4().hex[:4]}",
        "idempotencyKey": str(uuid.uuid4())}}, seat_token)["recordHotlineAppeal"]
    appeal_id = recorded["id"]
    graphql(base, "mutation($id: ID!, $unit: String!) { assignAppeal(id: $id, departmentCode: $unit) { __typename } }",
            {"id": appeal_id, "unit": UNIT}, seat_token)
    seat = await staff_page(browsing, SEAT)
    await seat.goto(f"/window/#/appeal/{appeal_id}")
    await expect(seat.get_by_text("这条诉求当前状态下没有需要您办理的操作。")).to_be_visible()
    await seat.get_by_text("实时更新中").wait_for()
    handler = await staff_page(browsing, HANDLER)
    await handler.goto(f"/window/#/appeal/{appeal_id}")
    await handler.get_by_text("实时更新中").wait_for()

    # 退单 by the unit; the coordinator's page turns to the decision at once.
    await handler.locator("summary", has_text="退单").click()
    await handler.get_by_label("退单理由").fill("燃气报装属于住房和城乡建设局职责。")
    await handler.get_by_role("button", name="退单").click()
    await expect(handler.locator(".desk-status")).to_have_text("已退单（现在：退单待审）")
    await expect(seat.locator(".notice").first).to_have_text(
        f"{UNIT_NAME}申请退单，理由：燃气报装属于住房和城乡建设局职责。")
    await check_screen(seat, "appeal-returned")
    await refused_then_done(seat, "驳回退单", "reason", "驳回退单的理由至少2个字", "驳回理由",
                            "食堂燃气安全检查属于市场监管职责，请继续办理。", "已驳回退单（现在：已交办）")
    await expect(handler.locator(".summary-list .tag").first).to_have_text("已交办")

    # A second return is upheld: routed to another unit, which the first no longer sees.
    await handler.locator("summary", has_text="退单").click()
    await handler.get_by_label("退单理由").fill("经核实确属住房和城乡建设局职责。")
    await handler.get_by_role("button", name="退单").click()
    await expect(handler.locator(".desk-status")).to_have_text("已退单（现在：退单待审）")
    await expect(seat.get_by_role("button", name="分办")).to_be_visible()
    assert await seat.get_by_label("承办单位").locator(f"option[value='{UNIT}']").count() == 0
    await seat.get_by_label("承办单位").select_option("370100-ZJJ")
    await seat.get_by_role("button", name="分办").click()
    await expect(seat.locator(".desk-status")).to_have_text("已分办（现在：已交办）")
    await expect(seat.get_by_text("承办单位：济南市住房和城乡建设局")).to_be_visible()
    await handler.goto("/window/#/unit-appeals")
    await expect(handler.get_by_role("heading", level=1)).to_have_text("企业诉求")
    assert await handler.locator("tbody tr").filter(has_text="食堂燃气改造审批咨询").count() == 0
    assert browsing.console_errors == []
