"""The 鲁通码 page and the enterprise appeals zone of the mobile client.

李梅 (a demo citizen with e-licences) sees her rotating code, her licences, and a hotel's scan of her code in
her access log. An enterprise files an appeal through the form, follows the 2115 steps live while the seat and
the undertaking unit act through the API, then confirms the result and rates it. Sessions are put straight
into localStorage, so these tests do not depend on the sign-in screens.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    Browsing,
    assert_accessible,
    graphql,
    screenshot,
    sign_in,
    words,
)
from tests.helpers import new_credit_code, new_id_number, new_phone

SHANGHAI = ZoneInfo("Asia/Shanghai")
LI_MEI = "13805310001"
HOTEL = "hotel-shungeng"
SEAT = "seat-96178"
HANDLER = "handler-scjgj"
UNIT = "370100-SCJGJ"
UNIT_NAME = "济南市市场监督管理局"
LOG_PAGE_SIZE = 10  # views/lutong.js

SESSION = """token expiresAt account { id kind displayName }"""
LOGIN = f"""mutation($u: String!, $p: String!) {{
  login(input: {{username: $u, password: $p}}) {{ __typename ... on AuthPayload {{ {SESSION} }} }}
}}"""
REGISTER_ENTERPRISE = f"""mutation($input: RegisterEnterpriseInput!) {{
  registerEnterprise(input: $input) {{ __typename ... on AuthPayload {{ {SESSION} }} }}
}}"""
CODE = "query($scene: Scene!) { myLuTongCode(scene: $scene) { payload } }"
SCAN = """mutation($payload: String!) {
  scanLuTongCode(payload: $payload, scene: LODGING) { __typename ... on ScanResult { scene } }
}"""
WHO_AM_I = "{ me { account { id } } }"
HOLDINGS = """{ me {
  certificates { name number issuer issuedAt validUntil }
  accessLog(first: 1) { totalCount edges { node { at actor } } }
} departments { code name } }"""
APPEAL_RESULT = """__typename ... on Appeal { id status createdAt receivedAt contactedAt opinionAt resolvedAt
  sla { contactBy opinionBy resolveBy } }"""
FILED = "query($id: ID!) { appeal(id: $id) { number createdAt maskedCreditCode } }"
ASSIGN = f"""mutation($id: ID!, $unit: String!) {{
  assignAppeal(id: $id, departmentCode: $unit) {{ {APPEAL_RESULT} }}
}}"""
CONTACT = f"mutation($id: ID!) {{ recordAppealContact(id: $id) {{ {APPEAL_RESULT} }} }}"
OPINION = f"mutation($id: ID!, $text: String!) {{ giveAppealOpinion(id: $id, opinion: $text) {{ {APPEAL_RESULT} }} }}"
RESOLVE = f"mutation($id: ID!, $text: String!) {{ resolveAppeal(id: $id, summary: $text) {{ {APPEAL_RESULT} }} }}"
# A 1×1 PNG: the upload route decides the type by the content.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def civil(moment: str, pattern: str = "%Y/%m/%d %H:%M") -> str:
    """An instant as the client shows it (formatDateTime / formatDate, Asia/Shanghai)."""
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).strftime(pattern)


def log_in(base: str, username: str) -> dict[str, Any]:
    payload = graphql(base, LOGIN, {"u": username, "p": "Demo-Portal-2115"})["login"]
    assert payload["__typename"] == "AuthPayload", payload
    return payload


def register_enterprise(base: str, name: str) -> dict[str, Any]:
    payload = graphql(base, REGISTER_ENTERPRISE, {"input": {
        "name": name, "creditCode": new_credit_code(), "legalRepresentativeIdNumber": new_id_number(),
        "phone": new_phone(), "password": "Enterprise-2115!x"}})["registerEnterprise"]
    assert payload["__typename"] == "AuthPayload", payload
    return payload


async def signed_in_page(browsing: Browsing, viewport: dict[str, int], auth: dict[str, Any]) -> Page:
    """A page whose localStorage holds the session as clients/shared/session.js keeps it."""
    page = await browsing.page(viewport)
    session = {key: auth[key] for key in ("token", "expiresAt", "account")}
    await page.context.add_init_script(f"localStorage.setItem('portal.session', {json.dumps(json.dumps(session))})")
    return page


def hotel_scans(base: str, holder_token: str, hotel_token: str, times: int) -> None:
    """The hotel desk scans the holder's LODGING code, as its terminal would, `times` times."""
    for _ in range(times):
        payload = graphql(base, CODE, {"scene": "LODGING"}, holder_token)["myLuTongCode"]["payload"]
        result = graphql(base, SCAN, {"payload": payload}, hotel_token)["scanLuTongCode"]
        assert result == {"__typename": "ScanResult", "scene": "LODGING"}


async def countdown(page: Page) -> int:
    text = words(await page.get_by_role("timer").inner_text())
    match = re.fullmatch(r"(\d+) 秒后自动刷新", text)
    assert match, text
    return int(match.group(1))


async def test_lutong_code_rotates_and_her_access_log_shows_the_hotel_scan(browsing: Browsing,
                                                                          portal_url: str) -> None:
    li_mei = log_in(portal_url, LI_MEI)
    hotel = sign_in(portal_url, HOTEL)
    hotel_id = graphql(portal_url, WHO_AM_I, token=hotel)["me"]["account"]["id"]
    # Enough earlier scans that the first page of the log is full and "加载更多" has more to show.
    hotel_scans(portal_url, li_mei["token"], hotel, LOG_PAGE_SIZE)

    page = await signed_in_page(browsing, PHONE, li_mei)
    await page.clock.install()
    await page.goto("/m/#/lutong")
    code = page.get_by_role("img", name="鲁通码二维码（所有场景通用），请出示给扫码方")
    await code.wait_for()
    assert words(await page.inner_text("main h1")) == "鲁通码"
    assert (await code.get_attribute("src")).startswith("data:image/svg+xml;charset=utf-8,")
    assert await code.evaluate("image => image.complete && image.naturalWidth > 0")
    assert 50 <= await countdown(page) <= 60

    holdings = graphql(portal_url, HOLDINGS, token=li_mei["token"])
    departments = {d["code"]: d["name"] for d in holdings["departments"]}
    shown = [words(text) for text in await page.locator(".licence-list > li").all_inner_texts()]
    assert shown == [
        f"{c['name']} 证照号码 {c['number']} 发证机关 {departments[c['issuer']]} 发证日期 {civil(c['issuedAt'], '%Y/%m/%d')}"
        + (f" 有效期至 {c['validUntil'].replace('-', '/')}" if c["validUntil"] else "")
        for c in holdings["me"]["certificates"]]
    assert [line.split(" ")[0] for line in shown] == ["社会保障卡", "结婚证", "居民户口簿", "居民身份证"]
    assert "居民身份证 证照号码 3701**********0523 发证机关 山东省公安厅" in shown[3]

    # The countdown follows the clock second by second; 5 s before expiry the page fetches the next code.
    # A second ahead: a moment in the past (the page's clock ran on while this was sent) cannot be paused at.
    await page.clock.pause_at(await page.evaluate("Date.now()") / 1000 + 1)
    await page.clock.run_for(1000)
    left = await countdown(page)
    await page.clock.run_for(1000)
    assert await countdown(page) == left - 1
    first_code = await code.get_attribute("src")
    await page.clock.run_for((left - 1 - 6) * 1000)
    assert await countdown(page) == 6
    assert await code.get_attribute("src") == first_code
    await page.clock.run_for(2000)
    await page.wait_for_function("old => document.querySelector('.lutong-code__image').src !== old", arg=first_code)
    await page.clock.resume()

    # Restricted to one scene, the code says so.
    await page.get_by_label("使用场景").select_option(label="仅限酒店住宿")
    await page.get_by_role("img", name="鲁通码二维码（仅限酒店住宿场景使用），请出示给扫码方").wait_for()

    hotel_scans(portal_url, li_mei["token"], hotel, 1)
    await page.reload()
    await page.get_by_role("heading", name="谁查看了我的信息").wait_for()
    newest = graphql(portal_url, HOLDINGS, token=li_mei["token"])["me"]["accessLog"]
    entry = newest["edges"][0]["node"]
    assert entry["actor"] == f"staff:{hotel_id}"
    rows = page.locator(".access-log > li")
    assert await rows.count() == LOG_PAGE_SIZE
    assert words(await rows.first.inner_text()) == (
        f"{civil(entry['at'])} 扫描鲁通码（酒店住宿） 济南舜耕山庄")
    assert await page.get_by_text(f"共 {newest['totalCount']} 条记录", exact=True).count() == 1
    await page.get_by_role("button", name="加载更多").click()
    await rows.nth(LOG_PAGE_SIZE).wait_for()
    assert await rows.count() == min(newest["totalCount"], 2 * LOG_PAGE_SIZE)
    assert words(await rows.nth(LOG_PAGE_SIZE).inner_text()).endswith(
        "扫描鲁通码（酒店住宿） 济南舜耕山庄")

    await assert_accessible(page)
    await screenshot(page, "lutong")
    desktop = await signed_in_page(browsing, DESKTOP, li_mei)
    await desktop.goto("/m/#/lutong")
    await desktop.get_by_role("img", name="鲁通码二维码（所有场景通用），请出示给扫码方").wait_for()
    await assert_accessible(desktop)
    await screenshot(desktop, "lutong")
    assert browsing.console_errors == []


async def step_text(page: Page, title: str) -> str:
    step = page.locator(".timeline > li").filter(has=page.get_by_role("heading", name=title, exact=True))
    return words(await step.inner_text())


async def test_an_enterprise_files_an_appeal_follows_it_live_and_confirms_the_result(browsing: Browsing,
                                                                                    portal_url: str) -> None:
    enterprise = register_enterprise(portal_url, "济南明湖软件科技有限公司")
    page = await signed_in_page(browsing, PHONE, enterprise)
    await page.goto("/m/#/appeals")
    await page.get_by_role("heading", name="企业诉求专区", level=1).wait_for()
    assert words(await page.locator("main").get_by_text("还没有提交过诉求").inner_text()) == "还没有提交过诉求。"

    await page.get_by_role("link", name="提交新诉求").click()
    await page.get_by_role("heading", name="提交企业诉求", level=1).wait_for()
    await assert_accessible(page)
    await screenshot(page, "appeal-new")

    # Nothing chosen: what the client must know before asking the API is listed at once.
    submit = page.get_by_role("button", name="提交诉求")
    await submit.click()
    summary = page.get_by_role("alert")
    assert [words(t) for t in await summary.locator("li").all_inner_texts()] == [
        "请填写诉求标题", "请填写诉求内容", "请选择诉求类别", "请选择诉求类型"]

    # The API's own rule on the title shows next to the title; what was typed stays.
    content = "我公司新开门店需要办理消防验收，不清楚流程和所需材料，希望相关部门给予指导。"
    await page.get_by_label("诉求内容").fill(content)
    await page.get_by_label("诉求类别").select_option(label="审批服务")
    # The grade: each urgency says its clock for the kind chosen, and the chosen grade's clock is said.
    assert words(await page.locator(".grade-clock").inner_text()) == "所选分级的办理时限：一般（2115）：2小时内联系，15个工作日内办结"
    await page.get_by_label("咨询", exact=True).check()
    await page.get_by_label("紧急", exact=True).check()
    assert words(await page.locator(".grade-clock").inner_text()) == "所选分级的办理时限：紧急咨询：1小时内联系，3个工作日内办结"
    assert [words(t) for t in await page.locator(".choice__terms").all_inner_texts()] == [
        "2小时内联系，5个工作日内办结", "1小时内联系，3个工作日内办结", "30分钟内联系，2个工作日内办结"]
    await page.get_by_label("附件（选填）").set_input_files(
        files=[{"name": "门店平面图.png", "mimeType": "image/png", "buffer": PNG}])
    await page.get_by_role("button", name="移除附件 门店平面图.png").wait_for()
    await submit.click()
    title_error = page.locator("#error-field-title")
    await title_error.filter(has_text="标题至少5个字").wait_for()
    assert words(await title_error.inner_text()) == "标题至少5个字"
    assert await page.locator(".field-error").count() == 1
    assert await page.get_by_label("诉求标题").get_attribute("aria-invalid") == "true"
    assert await page.get_by_label("诉求内容").input_value() == content
    assert await page.get_by_label("诉求类别").input_value() == "APPROVAL"

    title = "新开门店消防验收咨询"
    await page.get_by_label("诉求标题").fill(title)
    await submit.click()
    await page.wait_for_url(re.compile(r"#/appeal/\d+$"))
    appeal_id = page.url.rsplit("/", 1)[1]
    await page.get_by_role("heading", name=title, level=1).wait_for()
    await page.get_by_text("实时更新中").wait_for()
    filed = graphql(portal_url, FILED, {"id": appeal_id}, enterprise["token"])["appeal"]
    assert words(await page.locator(".summary-list").first.inner_text()) == (
        f"办理状态 待分办 受理编号 {filed['number']} 分级分类 紧急·咨询 办理时限 紧急咨询 来源渠道 在线诉求 "
        f"诉求类别 审批服务 提交时间 {civil(filed['createdAt'])} "
        f"企业 济南明湖软件科技有限公司 统一社会信用代码 {filed['maskedCreditCode']} 承办单位 待分办")
    assert await page.get_by_text("门店平面图.png").count() == 1
    assert await step_text(page, "联系企业") == "联系企业 接收后 1 小时内联系企业或到现场 未开始"

    # Staff act through the API; the page follows without reloading.
    await page.evaluate("window.stillTheSamePage = true")
    seat, handler = sign_in(portal_url, SEAT), sign_in(portal_url, HANDLER)
    assigned = graphql(portal_url, ASSIGN, {"id": appeal_id, "unit": UNIT}, seat)["assignAppeal"]
    assert assigned["status"] == "ASSIGNED", assigned
    await page.get_by_text(f"承办单位：{UNIT_NAME}").wait_for()
    assert await step_text(page, "联系企业") == (
        f"联系企业 接收后 1 小时内联系企业或到现场 截止时间：{civil(assigned['sla']['contactBy'])} 办理中")

    contacted = graphql(portal_url, CONTACT, {"id": appeal_id}, handler)["recordAppealContact"]
    assert contacted["status"] == "CONTACTED", contacted
    await page.get_by_role("status").filter(has_text="办理进度已更新：已联系").wait_for()
    assert await step_text(page, "联系企业") == (
        f"联系企业 接收后 1 小时内联系企业或到现场 截止时间：{civil(contacted['sla']['contactBy'])} "
        f"完成时间：{civil(contacted['contactedAt'])} 按时完成")
    assert await step_text(page, "出具办理意见") == (
        f"出具办理意见 1 个工作日内出具办理意见 截止时间：{civil(contacted['sla']['opinionBy'])} 办理中")
    assert await page.evaluate("window.stillTheSamePage") is True

    opinion = "已电话联系企业，明日上门指导消防验收材料准备。"
    summary_text = "已上门指导，企业门店消防验收已通过。"
    graphql(portal_url, OPINION, {"id": appeal_id, "text": opinion}, handler)
    resolved = graphql(portal_url, RESOLVE, {"id": appeal_id, "text": summary_text}, handler)["resolveAppeal"]
    assert resolved["status"] == "RESOLVED", resolved
    await page.get_by_role("heading", name="确认办理结果").wait_for()
    assert await step_text(page, "出具办理意见") == (
        f"出具办理意见 1 个工作日内出具办理意见 截止时间：{civil(resolved['sla']['opinionBy'])} "
        f"完成时间：{civil(resolved['opinionAt'])} 按时完成 办理意见：{opinion}")
    assert await step_text(page, "办结") == (
        f"办结 3 个工作日内解决问题或确认服务 截止时间：{civil(resolved['sla']['resolveBy'])} "
        f"完成时间：{civil(resolved['resolvedAt'])} 按时完成 办结情况：{summary_text}")
    assert await page.evaluate("window.stillTheSamePage") is True
    await assert_accessible(page)
    await screenshot(page, "appeal")

    # The enterprise confirms it is satisfied, with 4 stars and a comment, and sees what it said.
    await page.get_by_label("满意，问题已解决").check()
    await page.locator("label[for='field-rating-4']").click()  # the star, as a finger taps it
    await expect(page.get_by_label("4 星：满意")).to_be_checked()
    await page.get_by_label("评价内容（选填）").fill("上门指导及时，问题已解决。")
    await page.get_by_role("button", name="提交确认").click()
    result = page.locator(".appeal-response").filter(has=page.get_by_role("heading", name="您的确认"))
    await result.wait_for()
    assert words(await result.locator("dl").inner_text()) == (
        "是否满意 满意 评分 ★★★★☆ 4 星：满意 评价内容 上门指导及时，问题已解决。")
    assert words(await page.locator(".summary-list .tag").first.inner_text()) == "已办结"

    # 好差评: offered with the confirmation's rating and comment.
    rate = page.get_by_role("button", name="提交好差评")
    await rate.wait_for()
    assert await page.get_by_role("radio", name="4 星：满意").is_checked()
    assert await page.get_by_label("意见建议（选填）").input_value() == "上门指导及时，问题已解决。"
    await rate.click()
    await page.get_by_text("已提交好差评：4 星：满意").wait_for()

    await page.get_by_role("link", name="返回我的诉求").click()
    await page.get_by_role("heading", name="企业诉求专区", level=1).wait_for()
    card = page.locator(".appeal-list > li")
    await card.first.wait_for()
    assert [words(t) for t in await card.all_inner_texts()] == [
        f"{title} 已办结 紧急·咨询 在线诉求 审批服务 紧急咨询时限 · 已于 {civil(resolved['resolvedAt'])} 办结 "
        f"受理编号 {filed['number']} · 提交于 {civil(resolved['createdAt'])}"]
    await assert_accessible(page)
    await screenshot(page, "appeals")

    desktop = await signed_in_page(browsing, DESKTOP, enterprise)
    for route, heading, name in [("/appeals", "企业诉求专区", "appeals"), ("/appeals/new", "提交企业诉求", "appeal-new"),
                                 (f"/appeal/{appeal_id}", title, "appeal")]:
        await desktop.goto(f"/m/#{route}")
        await desktop.get_by_role("heading", name=heading, level=1).wait_for()
        if name == "appeal":  # opened afresh, the appeal shows the 好差评 already given instead of the form
            await desktop.get_by_text("已提交好差评：4 星：满意").wait_for()
            assert await desktop.get_by_role("button", name="提交好差评").count() == 0
        await assert_accessible(desktop)
        await screenshot(desktop, name)
    assert browsing.console_errors == []
