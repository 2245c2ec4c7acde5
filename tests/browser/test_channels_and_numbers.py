"""What a newcomer found in the clients (issue 17), in a real browser.

A citizen at a computer applies on the DESKTOP channel (the PWA decides its terminal once per load and says it in
every request); a bundle not offered on the terminal, or meant for the other kind of account, says so on its page
before any form and offers none; prefilled answers say where they came from; after submitting, a confirmation
shows the 受理编号 and what happens next; a department handler, on a second page beside the citizen's, finds the
application by that number, and staff are told plainly when a number is mistyped or not theirs. The appeals seat
finds an appeal by its number. The elder switch's own text follows the mode (test_offline_and_elder.py, the
kiosk's in test_kiosk.py).
"""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Browsing, assert_accessible, graphql, screenshot, sign_in, words
from tests.browser.test_apply_and_follow import PNG, register, signed_in_page
from tests.browser.test_shell import WHO_AM_I
from tests.browser.test_window import check_screen, staff_page
from tests.browser.test_window_appeals import ENTERPRISE, HANDLER, RECORD, SEAT
from tests.helpers import new_id_number

DESKTOP_BUNDLE = "benefit-certification"  # 社保待遇资格认证: citizens, on every terminal, two items of 省人社厅
RST_HANDLER = "handler-rst"
WJW_HANDLER = "handler-wjw"  # 市卫健委: no item of DESKTOP_BUNDLE
NOT_ON_DESKTOP = "newborn"  # 自助终端、手机、大厅窗口
ENTERPRISE_ONLY = "enterprise-info-change"
CITIZEN_ONLY = "school-enrolment"
LI_MEI = "13805310001"
APPLICATION = """query($n: String!) {
  application(number: $n) { id number channel bundle { code } tasks { id departmentCode } }
}"""


def mistyped(number: str) -> str:
    """The number with its check character changed: well formed, but not a number the portal issues."""
    wrong = next(c for c in "0123456789X" if c != number[-1])
    return number[:-1] + wrong


async def signed_in_as(browsing: Browsing, username: str, viewport: dict[str, int]) -> Page:
    """A /m/ page whose browser holds a demo account's session."""
    token = sign_in(browsing.base_url, username)
    account = graphql(browsing.base_url, WHO_AM_I, token=token)["me"]["account"]
    return await signed_in_page(browsing, viewport, {"token": token, "expiresAt": "2100-01-01T00:00:00+08:00",
                                                     "account": account})


async def search_number(page: Page, number: str) -> None:
    await page.get_by_role("textbox", name="按受理编号查找").fill(number)
    await page.get_by_role("button", name="查找").click()


async def search_error(page: Page) -> str:
    return words(await page.locator(".number-search .field-error").inner_text())


async def test_a_citizen_applies_at_a_computer_and_a_handler_beside_her_finds_it_by_its_number(
        browsing: Browsing, portal_url: str) -> None:
    citizen = register(portal_url, "孙丽华")
    page = await signed_in_page(browsing, DESKTOP, citizen)
    await page.goto(f"/m/#/bundle/{DESKTOP_BUNDLE}")
    await expect(page.locator("main h1")).to_have_text("社保待遇资格认证一件事")
    facts = [words(text) for text in await page.locator(".bundle-facts dd").all_inner_texts()]
    assert "电脑网页" in facts[-1].split("、"), facts
    await expect(page.locator(".apply-notice")).to_have_count(0)
    await page.get_by_role("link", name="开始办理").click()
    await expect(page.locator(".task-list")).to_be_visible()

    await page.get_by_role("link", name="退休信息").click()
    await page.get_by_label("退休人员姓名").fill("孙建国")
    await page.get_by_label("退休人员身份证号码").fill(new_id_number(born="19600302"))
    await page.get_by_role("button", name="保存并继续").click()
    # The phone number comes from her real-name account, and the page says so next to the field.
    await page.get_by_role("link", name="申请人信息").click()
    phone = page.locator(".field", has=page.locator("#field-applicant-phone"))
    await expect(phone.locator(".prefill-source")).to_have_text("来自您的实名信息")
    assert "source-field-applicant-phone" in await page.locator("#field-applicant-phone").get_attribute(
        "aria-describedby")
    await page.get_by_role("button", name="保存并继续").click()
    await page.get_by_role("link", name="申请材料").click()
    await page.get_by_label("上传“居民身份证”").set_input_files(
        {"name": "身份证.png", "mimeType": "image/png", "buffer": PNG})
    await expect(page.locator(".upload-status")).to_have_text("已上传：身份证.png")
    await page.get_by_role("button", name="保存并继续").click()
    await page.get_by_role("link", name="检查您的填写").click()
    async with page.expect_request(lambda r: r.url.endswith("/graphql") and r.method == "POST") as sent:
        await page.get_by_role("button", name="确认并提交申请").click()
    assert (await sent.value).headers["x-portal-terminal"] == "DESKTOP"

    await expect(page.locator("main h1")).to_have_text("申请已提交")
    number = words(await page.locator(".confirmation__number").inner_text())
    stored = graphql(portal_url, APPLICATION, {"n": number}, citizen["token"])["application"]
    assert stored["channel"] == "DESKTOP" and stored["bundle"]["code"] == DESKTOP_BUNDLE
    assert [words(text) for text in await page.locator(".submitted-items li").all_inner_texts()] == [
        "企业职工基本养老保险待遇领取资格认证 山东省人力资源和社会保障厅办理，即时办结 现在开始办理",
        "工伤保险长期待遇领取资格认证 山东省人力资源和社会保障厅办理，即时办结 现在开始办理"]
    await expect(page.get_by_role("link", name="查看办理进度")).to_have_attribute(
        "href", f"#/application/{stored['id']}")
    await assert_accessible(page)
    await screenshot(page, "apply-submitted-desktop")

    # Beside her, a handler of 省人社厅 types the number as she reads it out; mistakes are said plainly.
    handler = await staff_page(browsing, RST_HANDLER)
    await handler.goto("/window/#/tasks")
    await expect(handler.get_by_role("heading", level=1)).to_have_text("待办事项")
    await search_number(handler, "")
    assert await search_error(handler) == "请输入受理编号"
    await search_number(handler, number[:-3])
    assert await search_error(handler) == "受理编号应为22位：字母 B、20位数字，最后一位是数字或 X"
    await search_number(handler, mistyped(number))
    assert await search_error(handler) == "受理编号的最后一位校验码对不上，请核对是否有输错或颠倒的数字"
    await search_number(handler, "S" + number[1:])
    assert await search_error(handler) == "这是企业诉求的受理编号（以 S 开头），请在诉求工作台查找"
    await check_screen(handler, "number-search")
    spaced = f"{number[:1].lower()} {number[1:7]}-{number[7:15]} {number[15:]}"
    await search_number(handler, spaced)
    first_task = next(task for task in stored["tasks"] if task["departmentCode"] == "370000-RST")
    await expect(handler).to_have_url(re.compile(rf"#/task/{stored['id']}/{first_task['id']}$"))
    await expect(handler.locator(".desk-caption")).to_have_text(f"社保待遇资格认证一件事 · 受理编号 {number}")

    # A handler of a department with no item in it finds nothing, and is told why that may be.
    other = await staff_page(browsing, WJW_HANDLER)
    await other.goto("/window/#/tasks")
    await search_number(other, number)
    assert await search_error(other) == f"没有找到受理编号为 {number} 的办件，或该办件没有由您所在部门办理的事项"
    assert browsing.console_errors == []


async def test_a_bundle_not_offered_on_this_terminal_says_where_it_is_before_any_form(browsing: Browsing) -> None:
    desktop = await signed_in_as(browsing, LI_MEI, DESKTOP)
    await desktop.goto(f"/m/#/bundle/{NOT_ON_DESKTOP}")
    await expect(desktop.locator("main h1")).to_have_text("新生儿出生一件事")
    notice = desktop.locator(".apply-notice--warning")
    await expect(notice).to_have_text("该一件事不能在电脑网页上办理，可以在手机、大厅窗口办理。")
    # Before the facts and the form, and no form is offered.
    assert await desktop.evaluate(
        "document.querySelector('.apply-notice').compareDocumentPosition(document.querySelector('#bundle-form'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING") != 0
    await expect(desktop.get_by_role("link", name="开始办理")).to_have_count(0)
    await assert_accessible(desktop)
    await screenshot(desktop, "bundle-not-on-desktop")
    # Typing the apply address gives the same notice, not the form.
    await desktop.goto(f"/m/#/apply/{NOT_ON_DESKTOP}")
    await expect(desktop.locator(".apply-notice--warning")).to_have_text(
        "该一件事不能在电脑网页上办理，可以在手机、大厅窗口办理。")
    await expect(desktop.locator(".task-list")).to_have_count(0)
    await expect(desktop.get_by_role("link", name="返回事项说明")).to_have_attribute("href", f"#/bundle/{NOT_ON_DESKTOP}")

    # On a phone the same bundle is offered.
    phone = await signed_in_as(browsing, LI_MEI, PHONE)
    await phone.goto(f"/m/#/bundle/{NOT_ON_DESKTOP}")
    await expect(phone.get_by_role("link", name="开始办理")).to_be_visible()
    await expect(phone.locator(".apply-notice")).to_have_count(0)
    assert browsing.console_errors == []


async def test_the_wrong_kind_of_account_learns_it_on_the_bundle_page(browsing: Browsing) -> None:
    citizen = await signed_in_as(browsing, LI_MEI, DESKTOP)
    await citizen.goto(f"/m/#/bundle/{ENTERPRISE_ONLY}")
    await expect(citizen.locator(".apply-notice--warning")).to_have_text(
        "此事项仅限企业办理，您当前登录的是个人账号，不能申请。")
    await expect(citizen.get_by_role("link", name="开始办理")).to_have_count(0)
    await citizen.goto(f"/m/#/apply/{ENTERPRISE_ONLY}")
    await expect(citizen.locator(".apply-notice--warning")).to_have_text(
        "此事项仅限企业办理，您当前登录的是个人账号，不能申请。")
    await expect(citizen.locator(".task-list")).to_have_count(0)

    enterprise = await signed_in_as(browsing, ENTERPRISE, DESKTOP)
    await enterprise.goto(f"/m/#/bundle/{CITIZEN_ONLY}")
    await expect(enterprise.locator(".apply-notice--warning")).to_have_text(
        "此事项仅限个人办理，您当前登录的是企业账号，不能申请。")
    await expect(enterprise.get_by_role("link", name="开始办理")).to_have_count(0)
    await assert_accessible(enterprise)

    # Signed out, the page says who it is for, and leads on to signing in.
    visitor = await browsing.page(DESKTOP)
    await visitor.goto(f"/m/#/bundle/{ENTERPRISE_ONLY}")
    await expect(visitor.locator(".apply-notice")).to_have_text("此事项仅限企业办理，请用相应的账号登录后申请。")
    await expect(visitor.locator(".apply-notice--warning")).to_have_count(0)
    await expect(visitor.get_by_role("link", name="开始办理")).to_be_visible()
    assert browsing.console_errors == []


async def test_prefilled_answers_say_where_they_came_from(browsing: Browsing) -> None:
    page = await signed_in_as(browsing, LI_MEI, PHONE)
    await page.goto(f"/m/#/apply/{NOT_ON_DESKTOP}/household")
    await expect(page.locator("main h1")).to_have_text("户籍信息")
    address = page.locator(".field", has=page.locator("#field-household-address"))
    await expect(address.locator(".prefill-source")).to_have_text("来自电子证照“居民户口簿”")
    await page.goto(f"/m/#/apply/{NOT_ON_DESKTOP}/applicant")
    await expect(page.locator("main h1")).to_have_text("申请人信息")
    name = page.locator(".field", has=page.locator("#field-applicant-name"))
    await expect(name.locator(".prefill-source")).to_have_text("来自您的实名信息")
    await assert_accessible(page)
    await screenshot(page, "apply-prefill-sources")
    # An answer she changed is hers: the page no longer says it came from elsewhere.
    await page.goto(f"/m/#/apply/{NOT_ON_DESKTOP}/household")
    await page.locator("#field-household-address").fill("济南市历下区泉城路2号")
    await page.get_by_role("button", name="保存并继续").click()
    await page.get_by_role("link", name="户籍信息").click()
    await expect(page.locator("#field-household-address")).to_have_value("济南市历下区泉城路2号")
    await expect(page.locator(".prefill-source")).to_have_count(0)
    assert browsing.console_errors == []


async def test_the_appeals_seat_finds_an_appeal_by_its_number_and_a_unit_not_given_it_does_not(
        browsing: Browsing, portal_url: str) -> None:
    seat_token = sign_in(portal_url, SEAT)
    recorded = graphql(portal_url, RECORD, {"input": {
        "creditCode": ENTERPRISE, "title": "申请办理消防验收进度咨询", "category": "APPROVAL", "channel": "HOTLINE",
        "content": f"企业反映门店消防验收申请提交已两周，想了解进度和还需补充的材料。{uuid.uuid4().hex[:6]}",
        "idempotencyKey": str(uuid.uuid4())}}, seat_token)["recordHotlineAppeal"]
    assert recorded["__typename"] == "Appeal", recorded

    seat = await staff_page(browsing, SEAT)
    await seat.goto("/window/#/appeals")
    await expect(seat.get_by_role("heading", level=1)).to_have_text("待分办诉求")
    await search_number(seat, "B" + recorded["number"][1:])
    assert await search_error(seat) == "这是办件的受理编号（以 B 开头），请在待办事项中查找"
    await search_number(seat, recorded["number"])
    await expect(seat).to_have_url(re.compile(rf"#/appeal/{recorded['id']}$"))
    await expect(seat.get_by_role("heading", level=1)).to_have_text("申请办理消防验收进度咨询")
    await expect(seat.locator(".desk-caption")).to_contain_text(f"受理编号 {recorded['number']}")

    # Not routed yet: the unit's handler cannot see it.
    unit = await staff_page(browsing, HANDLER)
    await unit.goto("/window/#/unit-appeals")
    await search_number(unit, recorded["number"])
    assert await search_error(unit) == (
        f"没有找到受理编号为 {recorded['number']} 的诉求，或该诉求不由您所在单位承办")
    assert browsing.console_errors == []
