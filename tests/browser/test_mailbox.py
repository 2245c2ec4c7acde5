"""Graded appeals and the governor's mailbox (省长信箱) across the phone and the desktop, each page signed in as its
person.

The demo enterprise writes a letter to the governor's mailbox on its phone, choosing the kind and the urgency (the
form says each grade's clock); a bad title is refused next to the title first. The 96178 seat sees the 特急 letter
above an older general appeal in its worklist and routes it; the unit's handler sees its grade and clock name,
records contact, opinion and resolution; the enterprise's phone shows the unit's answer live and the enterprise
confirms. A citizen the enterprises authorised (an agent) uses the appeals zone on the phone for the enterprise they
choose; a citizen without a grant does not see it. The figures page shows the monthly series (调度) and the mailbox's
own figures.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browsing, assert_accessible, graphql, screenshot, sign_in, words
from tests.browser.test_apply_and_follow import register
from tests.browser.test_lutong_and_appeals import log_in, register_enterprise, signed_in_page, step_text
from tests.browser.test_window import check_screen, staff_page
from tests.browser.test_window_appeals import resolved_then_satisfied

ENTERPRISE = "91370102MA3C5QX1XY"  # the demo enterprise, 历下区
COMPANY = "济南泉城餐饮管理有限公司"
SEAT = "seat-96178"
HANDLER = "handler-scjgj"
UNIT = "370100-SCJGJ"
SUPERVISOR = "supervisor-jinan"
REGION = "370100"
SUBMIT = """mutation($input: SubmitAppealInput!) {
  submitAppeal(input: $input) { __typename ... on Appeal { id number } }
}"""
GRANT = """mutation($id: String!) { grantEnterpriseAgent(input: {idNumber: $id}) { __typename } }"""
RESULT = "__typename ... on Appeal { id status }"
ASSIGN = f"mutation($id: ID!, $unit: String!) {{ assignAppeal(id: $id, departmentCode: $unit) {{ {RESULT} }} }}"
CONTACT = f"mutation($id: ID!) {{ recordAppealContact(id: $id) {{ {RESULT} }} }}"
OPINION = f"mutation($id: ID!, $text: String!) {{ giveAppealOpinion(id: $id, opinion: $text) {{ {RESULT} }} }}"
RESOLVE = f"mutation($id: ID!, $text: String!) {{ resolveAppeal(id: $id, summary: $text) {{ {RESULT} }} }}"
MAILBOX_STATS = """query($region: String!, $from: Date!, $to: Date!) {
  appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: CHANNEL) { value stats { received } }
  appealStatsMonthly(regionCode: $region, from: $from, to: $to) { month stats { received } }
}"""


def file_online(base: str, token: str, title: str, urgency: str = "GENERAL", **extra: str) -> str:
    appeal = graphql(base, SUBMIT, {"input": {
        "title": title, "content": "门店所在街道夜间施工噪声扰民，影响经营，请协调相关部门处理。", "category": "OTHER",
        "urgency": urgency, "idempotencyKey": uuid.uuid4().hex, **extra}}, token)["submitAppeal"]
    assert appeal["__typename"] == "Appeal", appeal
    return appeal["id"]


async def test_a_letter_to_the_governor_from_the_phone_is_routed_first_answered_and_confirmed(
        browsing: Browsing) -> None:
    base = browsing.base_url
    company = log_in(base, ENTERPRISE)
    # An older general appeal: the 特急 letter must still come before it.
    older_title = f"门店招牌设置审批咨询 {uuid.uuid4().hex[:6]}"
    file_online(base, company["token"], older_title)

    phone = await signed_in_page(browsing, PHONE, company)
    await phone.goto("/m/#/appeals")
    await phone.get_by_role("heading", name="企业诉求专区", level=1).wait_for()
    await phone.get_by_role("link", name="写信给省长").click()
    await phone.get_by_role("heading", name="写信给省长", level=1).wait_for()
    await expect(phone.get_by_label("写信给省长（省长信箱）")).to_be_checked()
    await assert_accessible(phone)

    # Kind and urgency chosen: the form says the chosen grade's clock.
    await phone.get_by_label("投诉", exact=True).check()
    await phone.get_by_label("特急", exact=True).check()
    await expect(phone.locator(".grade-clock")).to_have_text("所选分级的办理时限：特急：30分钟内联系，5个工作日内办结")
    terms = phone.get_by_label("特急", exact=True)
    assert await terms.get_attribute("aria-describedby") == "field-urgency-URGENT-terms"
    await expect(phone.locator("#field-urgency-URGENT-terms")).to_have_text("30分钟内联系，5个工作日内办结")
    content = "我公司中央厨房的燃气供应自昨日起中断，燃气公司迟迟未派人检修，门店无法营业，请省长过问。"
    await phone.get_by_label("诉求内容").fill(content)
    await phone.get_by_label("诉求类别").select_option(label="水电气暖")
    # A bad title is refused at its place first; what was chosen stays.
    await phone.get_by_label("诉求标题").fill("停气")
    await phone.get_by_role("button", name="寄出信件").click()
    await expect(phone.locator("#error-field-title")).to_have_text("标题至少5个字")
    assert await phone.locator(".field-error").count() == 1
    assert await phone.get_by_label("诉求标题").get_attribute("aria-invalid") == "true"
    await expect(phone.get_by_label("特急", exact=True)).to_be_checked()
    title = f"中央厨房燃气中断无法营业 {uuid.uuid4().hex[:6]}"
    await phone.get_by_label("诉求标题").fill(title)
    await screenshot(phone, "mailbox-letter")
    await phone.get_by_role("button", name="寄出信件").click()
    await phone.wait_for_url(re.compile(r"#/appeal/\d+$"))
    appeal_id = phone.url.rsplit("/", 1)[1]
    await phone.get_by_role("heading", name=title, level=1).wait_for()
    await phone.get_by_text("实时更新中").wait_for()
    facts = words(await phone.locator(".summary-list").first.inner_text())
    assert "分级分类 特急·投诉 办理时限 特急 来源渠道 省长信箱" in facts, facts
    await expect(phone.locator("#appeal-progress-heading")).to_have_text("办理进度（特急）")

    # The seat: the 特急 letter stands above the older general appeal, marked 特急.
    seat = await staff_page(browsing, SEAT)
    await seat.goto("/window/")
    await expect(seat.get_by_role("heading", level=1)).to_have_text("待分办诉求")
    rows = seat.locator("tbody tr")
    await rows.filter(has_text=title).wait_for()
    texts = [words(t) for t in await rows.all_inner_texts()]
    mine = next(i for i, text in enumerate(texts) if title in text)
    # Everything above it is 特急 too: the grade orders the list before the age (a page holds 20: the older
    # general appeal is below it, on this page or a later one).
    assert all("特急·" in text for text in texts[:mine + 1]), texts[:mine + 1]
    older = next((i for i, text in enumerate(texts) if older_title in text), len(texts))
    assert mine < older, texts
    letter_row = rows.nth(mine)
    assert "row--urgent" in (await letter_row.get_attribute("class"))
    assert "省长信箱来信 水电气暖 特急·投诉 特急 待分办" in texts[mine], texts[mine]
    if older < len(texts):
        assert "一般·投诉 一般（2115）" in texts[older], texts[older]
    await check_screen(seat, "mailbox-route")
    assert await letter_row.get_by_role("link", name=title).get_attribute("href") == f"#/appeal/{appeal_id}"
    await letter_row.get_by_role("link", name=title).click()
    await expect(seat.get_by_role("heading", level=1)).to_have_text(title)
    await expect(seat.locator(".desk-caption")).to_contain_text("省长信箱来信")
    await expect(seat.locator(".desk-caption .grade-tag")).to_have_text("特急·投诉")
    await expect(seat.locator(".hint").filter(has_text="分办后")).to_have_text(
        "分办后承办单位即刻接收，按分级时限计时（特急：30分钟内联系，5个工作日内办结）。")
    await seat.get_by_label("承办单位").select_option(UNIT)
    await seat.get_by_role("button", name="分办").click()
    await expect(seat.locator(".desk-status")).to_have_text("已分办（现在：已交办）")
    await phone.get_by_text("承办单位：济南市市场监督管理局").wait_for()
    assert (await step_text(phone, "联系企业")).startswith("联系企业 接收后 30 分钟内联系企业或到现场 截止时间：")

    # The unit's handler: the grade and the clock's name in the worklist; contact, opinion, resolution.
    handler = await staff_page(browsing, HANDLER)
    await handler.goto("/window/#/unit-appeals")
    await expect(handler.get_by_role("heading", level=1)).to_have_text("企业诉求")
    unit_row = handler.locator("tbody tr").filter(has_text=title)
    assert "特急·投诉 特急" in words(await unit_row.inner_text())
    await expect(handler.locator("tbody tr").first).to_have_class(re.compile("row--urgent"))
    await unit_row.get_by_role("link", name=title).click()
    await expect(handler.get_by_role("heading", level=1)).to_have_text(title)
    await handler.get_by_text("实时更新中").wait_for()
    await expect(handler.locator("#appeal-progress")).to_have_text("办理进度（特急）")
    await handler.get_by_role("button", name="已联系企业").click()
    await expect(handler.locator(".desk-status")).to_have_text("已登记联系企业（现在：已联系）")
    opinion = "已联系燃气公司，抢修队今日到场检修管线。"
    await handler.get_by_label("办理意见").fill(opinion)
    await handler.get_by_role("button", name="出具办理意见").click()
    await expect(handler.locator(".desk-status")).to_have_text("已出具办理意见（现在：已出具意见）")
    await phone.get_by_text(f"办理意见：{opinion}").wait_for()
    # The enterprise's phone shows the unit's answer live, and the enterprise confirms.
    await resolved_then_satisfied(handler, phone, "管线已修复，供气恢复，门店已正常营业。")
    await phone.get_by_role("button", name="提交确认").click()
    await phone.get_by_role("heading", name="您的确认").wait_for()
    await assert_accessible(phone)
    await screenshot(phone, "mailbox-confirmed")
    assert browsing.console_errors == []


async def test_an_agent_uses_the_appeals_zone_for_the_enterprise_they_choose(browsing: Browsing) -> None:
    base = browsing.base_url
    first = register_enterprise(base, "济南历城物流有限公司")
    second = register_enterprise(base, "济南槐荫印务有限公司")
    agent = register(base, "孙立")
    for company in (first, second):
        assert graphql(base, GRANT, {"id": agent["idNumber"]}, company["token"])["grantEnterpriseAgent"] == {
            "__typename": "AgentGrant"}

    phone = await signed_in_page(browsing, PHONE, agent)
    await phone.goto("/m/")
    await phone.get_by_role("link", name="诉求专区").click()
    await phone.get_by_role("heading", name="企业诉求专区", level=1).wait_for()
    await phone.get_by_text("您是企业授权的经办人").wait_for()
    await phone.get_by_role("link", name="提交新诉求").click()
    await phone.get_by_role("heading", name="提交企业诉求", level=1).wait_for()
    await assert_accessible(phone)

    # Nothing chosen: the enterprise is asked for with the rest.
    await phone.get_by_role("button", name="提交诉求").click()
    assert [words(t) for t in await phone.get_by_role("alert").locator("li").all_inner_texts()] == [
        "请选择代哪家企业提交", "请填写诉求标题", "请填写诉求内容", "请选择诉求类别", "请选择诉求类型"]
    await phone.get_by_label("济南槐荫印务有限公司").check()
    title = f"印刷设备进口关税减免政策咨询 {uuid.uuid4().hex[:6]}"
    await phone.get_by_label("诉求标题").fill(title)
    await phone.get_by_label("诉求内容").fill("我公司计划进口一台印刷设备，想了解是否符合关税减免政策、需要准备哪些材料。")
    await phone.get_by_label("诉求类别").select_option(label="税费")
    await phone.get_by_label("咨询", exact=True).check()
    await expect(phone.locator(".grade-clock")).to_have_text("所选分级的办理时限：一般咨询：2小时内联系，5个工作日内办结")
    await phone.get_by_role("button", name="提交诉求").click()
    await phone.wait_for_url(re.compile(r"#/appeal/\d+$"))
    appeal_id = phone.url.rsplit("/", 1)[1]
    await phone.get_by_role("heading", name=title, level=1).wait_for()
    facts = words(await phone.locator(".summary-list").first.inner_text())
    assert "分级分类 一般·咨询 办理时限 一般咨询 来源渠道 在线诉求" in facts and "企业 济南槐荫印务有限公司" in facts, facts
    await phone.get_by_text("实时更新中").wait_for()

    # Staff act through the API; the agent's page follows, and the agent confirms for the enterprise.
    seat, handler = sign_in(base, SEAT), sign_in(base, HANDLER)
    assert graphql(base, ASSIGN, {"id": appeal_id, "unit": UNIT}, seat)["assignAppeal"]["status"] == "ASSIGNED"
    graphql(base, CONTACT, {"id": appeal_id}, handler)
    graphql(base, OPINION, {"id": appeal_id, "text": "已电话说明关税减免政策和所需材料。"}, handler)
    graphql(base, RESOLVE, {"id": appeal_id, "text": "企业已按指导准备材料，咨询已答复。"}, handler)
    await phone.get_by_role("heading", name="确认办理结果").wait_for()
    await phone.get_by_label("满意，问题已解决").check()
    await phone.locator("label[for='field-rating-4']").click()
    await phone.get_by_role("button", name="提交确认").click()
    await phone.get_by_role("heading", name="您的确认").wait_for()

    # The list: the enterprise's appeals the agent acts for, each naming its enterprise.
    await phone.get_by_role("link", name="返回我的诉求").click()
    card = phone.locator(".appeal-list > li").filter(has_text=title)
    await card.wait_for()
    assert "已办结 一般·咨询 在线诉求 税费 济南槐荫印务有限公司" in words(await card.inner_text())
    await assert_accessible(phone)
    await screenshot(phone, "agent-appeals")

    # A citizen without a grant sees no appeals zone, and its address leads home.
    stranger = register(base, "钱多")
    other = await signed_in_page(browsing, PHONE, stranger)
    await other.goto("/m/#/appeals")
    await other.wait_for_url(re.compile(r"/m/#/$"))
    await expect(other.locator("#site-nav")).not_to_contain_text("诉求专区")
    assert browsing.console_errors == []


async def test_the_figures_page_shows_the_months_and_the_mailbox(browsing: Browsing) -> None:
    base = browsing.base_url
    company = log_in(base, ENTERPRISE)
    file_online(base, company["token"], f"园区道路照明不足影响夜间配送 {uuid.uuid4().hex[:6]}", channel="MAILBOX")
    supervisor = await staff_page(browsing, SUPERVISOR)
    await supervisor.goto("/window/#/figures")
    await expect(supervisor.get_by_role("heading", level=1)).to_have_text("诉求统计")
    # The default period: the last 12 months, from the first day of the month 11 months back.
    today = datetime.fromisoformat(await supervisor.get_by_label("结束日期").input_value()).date()
    start = await supervisor.get_by_label("开始日期").input_value()
    back = today.year * 12 + today.month - 1 - 11
    assert start == f"{back // 12}-{back % 12 + 1:02d}-01"
    expected = graphql(base, MAILBOX_STATS, {"region": REGION, "from": start, "to": today.isoformat()})

    monthly = supervisor.locator("#figures-monthly tbody tr")
    await expect(monthly).to_have_count(12)
    assert await supervisor.locator("#figures-monthly-chart li").count() == 12
    this_month = expected["appealStatsMonthly"][-1]
    label = f"{today.year}年{today.month}月"
    row = supervisor.locator(f"#figures-monthly tr[data-row='{this_month['month']}']")
    await expect(row.locator("th")).to_have_text(label)
    await expect(row.locator("td[data-figure='received']")).to_have_text(str(this_month["stats"]["received"]))
    assert this_month["stats"]["received"] >= 1
    bar = supervisor.locator(f"#figures-monthly-chart li[data-row='{this_month['month']}']")
    assert words(await bar.inner_text()).startswith(f"{label} {this_month['stats']['received']} 件，办结率")

    mailbox = next(g for g in expected["appealStatsBreakdown"] if g["value"] == "MAILBOX")
    assert mailbox["stats"]["received"] >= 1
    await expect(supervisor.get_by_role("heading", name="省长信箱", level=2)).to_be_visible()
    await expect(supervisor.locator("#figures-mailbox td[data-figure='received']")).to_have_text(
        str(mailbox["stats"]["received"]))
    await expect(supervisor.locator("#figures-channel tr[data-row='MAILBOX'] th")).to_have_text("省长信箱")
    await expect(supervisor.locator("#figures-urgency tbody tr th")).to_have_text(["特急", "紧急", "一般"])
    await expect(supervisor.locator("#figures-kind tbody tr th")).to_have_text(["投诉", "咨询", "建议", "举报"])
    await expect(supervisor.locator("#figures-appeals tr").filter(has_text="首次联系解决率")).to_have_count(1)
    await check_screen(supervisor, "figures-monthly")
    assert browsing.console_errors == []
