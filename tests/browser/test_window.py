"""The window terminal (窗口端) and staff workbench at ``/window/``.

A clerk of 济南市民中心 signs in with the keyboard on a 1280-wide page, chooses counter JNSMZX-07 and calls a
ticket taken through the API, while a hall screen (another browser) sees the call live; an empty queue says so.
The clerk scans 李梅's 鲁通码 and sees her masked identity and certificates; with the consent the scan gives, the
clerk fills the newborn bundle's form for her, prefilled from her e-licences, submits it on channel WINDOW and
prints the receipt, and her phone lists the application. A handler of 市卫健委 finds the newborn
application in the worklist with the keyboard, accepts and approves its task while the citizen's phone page shows
each change live; two handlers of 市公安局 act on the next task at once, one is told plainly that someone else
changed it and reloads without losing what they typed. A handler of another department is told the task is not
found. Every main screen passes axe, has no sideways scroll at 1280 and 1920 wide, and is saved as a screenshot.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import yaml

from playwright.async_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, Browsing, assert_accessible, graphql, screenshot, sign_in, words
from tests.helpers import new_id_number
from tests.browser.test_apply_and_follow import (
    ACCEPT,
    BIRTH_CERTIFICATE_ITEM,
    BIRTH_REGISTRATION_ITEM,
    apply_by_api,
    register,
    signed_in_page,
    task_of,
)

DESK = {"width": 1280, "height": 800}
WIDE = {"width": 1920, "height": 1080}
HALL = "JNSMZX"
COUNTER = "JNSMZX-07"  # serves 户籍证件 (HJZJ, letter D) only
CATEGORY = "HJZJ"
CLERK = "window-jinan"
LI_MEI = "13805310001"
LI_MEI_ID_NUMBER = "370102198803120523"  # portal/demo/accounts.yaml
TAKE = """mutation($hall: String!, $category: String!, $key: String!) {
  takeTicket(hallCode: $hall, category: $category, idempotencyKey: $key) { __typename ... on Ticket { id number } }
}"""
QUEUE = "query($hall: String!) { queue(hallCode: $hall) { categories { code waiting } } }"
CODE = "query { myLuTongCode(scene: GOVERNMENT_SERVICE) { payload } }"
# A hall screen: follows hallCalls with the shared client library and lists each call in the page.
HALL_SCREEN = """(async () => {
  const { follow } = await import("/shared/live.js");
  const list = document.createElement("ul");
  list.id = "hall-calls";
  document.body.prepend(list);
  follow({ query: "subscription($hall: String!) { hallCalls(hallCode: $hall) { number counter { code } } }",
    variables: { hall: "%s" }, field: "hallCalls",
    onStatus: (state) => { list.dataset.state = state; },
    onEvent: (call) => { const item = document.createElement("li"); item.textContent = `${call.number} ${call.counter.code}`;
      list.append(item); } });
})()""" % HALL


def ticket_key() -> str:
    """A fresh idempotency key for takeTicket."""
    return f"window-test-{uuid.uuid4()}"


async def tab_to(page: Page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies `predicate` (a JS expression over `el`)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


async def sign_in_by_keyboard(page: Page, username: str) -> None:
    """The staff sign-in, with the keyboard alone: the page focuses its heading, Tab leads through the form."""
    await page.goto("/window/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    await tab_to(page, "el.id === 'field-username'")
    await page.keyboard.type(username)
    await tab_to(page, "el.id === 'field-password'")
    await page.keyboard.type(DEMO_PASSWORD)
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")


async def staff_page(browsing: Browsing, username: str, viewport: dict[str, int] = DESK) -> Page:
    """A window page whose browser holds the staff member's session, as session.js keeps it after sign-in."""
    page = await browsing.page(viewport)
    data = graphql(browsing.base_url, """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p})
      { ... on AuthPayload { token expiresAt account { id kind displayName } } } }""", {"u": username, "p": DEMO_PASSWORD})
    session = json.dumps(json.dumps(data["login"]))
    await page.add_init_script(f"localStorage.setItem('portal.session.window', {session})")
    return page


async def check_screen(page: Page, name: str) -> None:
    """axe, no sideways scroll and a screenshot, at 1280 and at 1920 wide."""
    for viewport in (DESK, WIDE):
        await page.set_viewport_size(viewport)
        await assert_accessible(page)
        width = await page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways at {viewport['width']}: {width}"
        await screenshot(page, f"window-{name}")
    await page.set_viewport_size(DESK)


async def test_clerk_calls_a_ticket_and_the_hall_sees_it(browsing: Browsing) -> None:
    base = browsing.base_url
    ticket = graphql(base, TAKE, {"hall": HALL, "category": CATEGORY, "key": ticket_key()})["takeTicket"]
    assert ticket["__typename"] == "Ticket", ticket
    assert ticket["number"].startswith("D")
    hall = await browsing.page(DESK)
    await hall.goto("/m/")
    await hall.evaluate(HALL_SCREEN)
    await expect(hall.locator("#hall-calls")).to_have_attribute("data-state", "live")

    clerk = await browsing.page(DESK)
    await sign_in_by_keyboard(clerk, CLERK)
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("选择窗口")
    await expect(clerk.locator("#staff-identity")).to_have_text("济南市民中心窗口 · 窗口工作人员")
    await check_screen(clerk, "counters")
    # The counters form with the keyboard: Tab into the radio group, arrows to JNSMZX-07, Enter submits.
    await tab_to(clerk, "el.name === 'counter'")
    for _ in range(6):
        await clerk.keyboard.press("ArrowDown")
    assert await clerk.evaluate("document.activeElement.value") == COUNTER
    await clerk.keyboard.press("Enter")
    await expect(clerk.get_by_role("heading", level=1)).to_have_text(f"{COUNTER} 窗口")
    await expect(clerk.locator(".lead")).to_have_text("本窗口办理：户籍证件")
    waiting = next(c["waiting"] for c in graphql(base, QUEUE, {"hall": HALL})["queue"]["categories"]
                   if c["code"] == CATEGORY)
    await expect(clerk.locator(".queue__mine")).to_have_text(f"D 户籍证件本窗口{waiting}2约 {-(-waiting * 12 // 2)} 分钟")
    await expect(clerk.get_by_text("实时更新中")).to_be_visible()
    await check_screen(clerk, "counter-idle")

    # Every ticket waiting in the category is called in turn; the one taken above is among them.
    called = []
    for _ in range(waiting):
        await tab_to(clerk, "el.textContent === '叫下一位'")
        await clerk.keyboard.press("Enter")
        number = words(await clerk.locator(".serving__number").inner_text())
        called.append(number)
        await expect(clerk.locator(".desk-status")).to_have_text(f"已呼叫 {number}")
        await expect(hall.locator("#hall-calls")).to_contain_text(f"{number} {COUNTER}")
        if number != ticket["number"]:
            await clerk.get_by_role("button", name="办结").click()
    assert ticket["number"] in called
    await expect(clerk.locator(".serving .summary-list")).to_contain_text("现场取号")
    await expect(clerk.locator(".hall-calls")).to_contain_text(f"请 {ticket['number']} 号到 {COUNTER} 窗口（户籍证件）")
    await check_screen(clerk, "counter-serving")

    await clerk.get_by_role("button", name="重呼").click()
    await expect(clerk.locator(".desk-status")).to_have_text(f"已重呼 {ticket['number']}")
    await expect(clerk.locator(".serving .summary-list")).to_contain_text("呼叫次数2")
    await expect(hall.locator("#hall-calls li")).to_have_count(waiting + 1)
    await clerk.get_by_role("button", name="办结").click()
    await expect(clerk.locator(".desk-status")).to_have_text(f"{ticket['number']} 已办结")
    await expect(clerk.locator(".serving__empty")).to_have_text("当前没有正在服务的号。")
    await expect(clerk.locator(".queue__mine td").first).to_have_text("0")

    # Nobody waiting: the clerk is told so, and the page stays usable.
    await clerk.get_by_role("button", name="叫下一位").click()
    await expect(clerk.get_by_role("alert")).to_contain_text("当前没有等候的号")
    await expect(clerk.get_by_role("button", name="叫下一位")).to_be_enabled()

    # A counter of another hall is refused before anything is sent.
    await clerk.goto("/window/#/counter/QDSMZX-01")
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("这不是您所属大厅的窗口")
    assert not browsing.console_errors, browsing.console_errors


async def test_clerk_scans_a_code_for_the_visit(browsing: Browsing) -> None:
    base = browsing.base_url
    clerk = await staff_page(browsing, CLERK)
    await clerk.goto("/window/#/visit")
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("扫码核验")
    # The scan field has the focus, so a scanner that types fills and submits it.
    assert await clerk.evaluate("document.activeElement.id") == "field-payload"
    await check_screen(clerk, "scan")
    await clerk.keyboard.press("Enter")
    await expect(clerk.locator("#error-field-payload")).to_have_text("请扫描或输入鲁通码内容")
    await clerk.keyboard.type("not-a-code")
    await clerk.keyboard.press("Enter")
    await expect(clerk.locator(".error-summary")).to_be_visible()
    assert await clerk.input_value("#field-payload") == ""

    payload = graphql(base, CODE, token=sign_in(base, LI_MEI))["myLuTongCode"]["payload"]
    await clerk.fill("#field-payload", payload)
    await clerk.keyboard.press("Enter")
    await expect(clerk.get_by_role("heading", name="办事人")).to_be_visible()
    assert words(await clerk.locator(".summary-list").first.inner_text()) == "姓名 李* 身份证号 370102********0523"
    certificates = words(await clerk.locator(".certificate-list").inner_text())
    assert "居民身份证 3701**********0523" in certificates and "结婚证" in certificates, certificates
    # Government service sees her older codes of every scene, masked.
    older = words(await clerk.locator(".legacy-code-list").inner_text())
    assert "健康码 JK-3**********0523" in older and "公交卡 JNGJ***********0423" in older, older
    proxy = clerk.locator("section", has=clerk.get_by_role("heading", name="代为申请（代办）"))
    await expect(proxy).to_contain_text("办事人已授权本窗口代办，有效至")
    await expect(proxy.get_by_role("link", name="新生儿出生一件事")).to_be_visible()
    await check_screen(clerk, "visit")
    await clerk.get_by_role("button", name="结束本次服务").click()
    await expect(clerk.locator("#field-payload")).to_be_focused()
    assert not browsing.console_errors, browsing.console_errors


async def test_handler_accepts_and_approves_while_the_citizen_watches(browsing: Browsing) -> None:
    base = browsing.base_url
    mother = register(base, "窗口验收")
    application_id = apply_by_api(base, mother)
    phone = await signed_in_page(browsing, {"width": 390, "height": 844}, mother)
    await phone.goto(f"/m/#/application/{application_id}")
    certificate_card = phone.locator(".task-card", has=phone.get_by_role("heading", name="出生医学证明首次签发"))
    await expect(certificate_card).to_contain_text("已提交")

    handler = await browsing.page(DESK)
    await sign_in_by_keyboard(handler, "handler-wjw")
    await expect(handler.get_by_role("heading", level=1)).to_have_text("待办事项")
    await expect(handler.locator("#staff-identity")).to_contain_text("市卫健委经办人 · 部门经办人")
    # Filter by status with the keyboard, then open the task of this application.
    await tab_to(handler, "el.id === 'filter-status'")
    await handler.keyboard.press("ArrowDown")
    assert await handler.input_value("#filter-status") == "SUBMITTED"
    await tab_to(handler, "el.type === 'submit'")
    await handler.keyboard.press("Enter")
    await expect(handler).to_have_url(f"{base}/window/#/tasks?status=SUBMITTED")
    row = handler.locator("tr", has=handler.get_by_text("窗口验收"))
    number = graphql(base, "query($id: ID!) { application(id: $id) { number } }", {"id": application_id},
                     mother["token"])["application"]["number"]
    await expect(row).to_contain_text(f"出生医学证明首次签发{number}新生儿出生一件事窗口验收已提交")
    await check_screen(handler, "worklist")
    await tab_to(handler, f"el.getAttribute('href')?.startsWith('#/task/{application_id}/')")
    await handler.keyboard.press("Enter")
    await expect(handler.get_by_role("heading", level=1)).to_have_text("办理：出生医学证明首次签发")
    await expect(handler.locator(".panel").nth(1)).to_contain_text("张小满")
    await check_screen(handler, "task")

    await handler.get_by_role("button", name="受理", exact=True).click()
    await expect(handler.locator(".desk-status")).to_have_text("已受理“出生医学证明首次签发”")
    await expect(certificate_card).to_contain_text("已受理")
    await handler.fill("#field-note", "材料齐全，准予签发")
    await handler.get_by_role("button", name="办结").click()
    await expect(handler.locator(".desk-status")).to_have_text("已办结“出生医学证明首次签发”")
    await expect(certificate_card).to_contain_text("已办结")
    await expect(handler.get_by_text("该事项当前状态下没有需要您办理的操作。")).to_be_visible()

    # Two handlers of 市公安局 open the next task; one accepts, the other's decision meets a conflict.
    registration = task_of(base, application_id, mother["token"], BIRTH_REGISTRATION_ITEM)
    assert registration["status"] == "SUBMITTED"
    path = f"/window/#/task/{application_id}/{registration['id']}"
    first, second = await staff_page(browsing, "handler-gaj"), await staff_page(browsing, "handler-gaj")
    for page in (first, second):
        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_have_text("办理：出生登记（新生儿落户）")
    await second.locator("summary", has_text="不予办理").click()
    await second.fill("#field-reason", "户籍地址与证明不符")
    await first.get_by_role("button", name="受理", exact=True).click()
    await expect(first.locator(".desk-status")).to_have_text("已受理“出生登记（新生儿落户）”")
    await expect(second.locator(".desk-notice")).to_contain_text("这个事项刚刚被更改（现在：已受理）")
    await second.get_by_role("button", name="不予办理").click()
    conflict = second.locator(".conflict")
    await expect(conflict).to_contain_text("其他人已更改了这个事项")
    await expect(conflict).to_contain_text("请重新载入查看最新状态，您填写的内容会保留。")
    await expect(conflict).to_be_focused()
    await check_screen(second, "task-conflict")
    await conflict.get_by_role("button", name="重新载入事项").click()
    await expect(second.locator(".summary-list").first).to_contain_text("状态已受理")
    await expect(second.locator("#field-reason")).to_have_value("户籍地址与证明不符")
    await second.get_by_role("button", name="不予办理").click()
    await expect(second.locator(".desk-status")).to_have_text("已对“出生登记（新生儿落户）”作出不予办理决定")
    registration = task_of(base, application_id, mother["token"], BIRTH_REGISTRATION_ITEM)
    assert registration["status"] == "REJECTED"
    assert not browsing.console_errors, browsing.console_errors


async def test_a_handler_cannot_open_another_departments_task(browsing: Browsing) -> None:
    base = browsing.base_url
    mother = register(base, "窗口越权")
    application_id = apply_by_api(base, mother, n=1)
    task = task_of(base, application_id, mother["token"], BIRTH_CERTIFICATE_ITEM)
    # 市市场监管局 has no task in the application (the API answers null); 省医保局 has one, but not this one.
    for username in ("handler-scjgj", "handler-ybj"):
        page = await staff_page(browsing, username)
        await page.goto(f"/window/#/task/{application_id}/{task['id']}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("未找到该事项")
        await expect(page.locator("main")).to_contain_text("该事项不存在，或不属于您所在部门，您无权查看。")
        assert not await page.get_by_role("button", name="受理").count()
    # A clerk is not a handler: the worklist is not theirs.
    clerk = await staff_page(browsing, CLERK)
    await clerk.goto("/window/#/tasks")
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("您的岗位不能使用这个页面")
    assert graphql(base, ACCEPT, {"id": task["id"], "v": 1}, sign_in(base, "handler-scjgj"))["acceptTask"] == {
        "__typename": "NotFound"}
    assert not browsing.console_errors, browsing.console_errors


async def test_the_clerk_applies_for_the_person_who_showed_their_code(browsing: Browsing) -> None:
    """李梅 takes a ticket and is called to the counter; she shows her 鲁通码 and the clerk scans it (her consent, for 30 minutes), fills the newborn
    bundle's merged form for her, prefilled from her profile and e-licences, and submits it on channel WINDOW. The
    receipt prints; her phone, signed in as her, lists the application the clerk filed for her."""
    base = browsing.base_url
    login = graphql(base, """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p})
      { ... on AuthPayload { token expiresAt account { id kind displayName } } } }""", {"u": LI_MEI, "p": DEMO_PASSWORD})
    li_mei = login["login"]
    phone = await signed_in_page(browsing, {"width": 390, "height": 844}, li_mei)
    await phone.goto("/m/#/applications")
    await expect(phone.get_by_role("heading", level=1)).to_be_visible()
    before = await phone.locator(".application-card").count()

    # She takes a ticket on her phone; the clerk at counter JNSMZX-07 calls until it is hers.
    ticket = graphql(base, TAKE, {"hall": HALL, "category": CATEGORY, "key": ticket_key()},
                     token=li_mei["token"])["takeTicket"]
    clerk = await staff_page(browsing, CLERK)
    await clerk.goto(f"/window/#/counter/{COUNTER}")
    await expect(clerk.get_by_role("heading", level=1)).to_have_text(f"{COUNTER} 窗口")
    for _ in range(20):
        await clerk.get_by_role("button", name="叫下一位").click()
        await expect(clerk.locator(".serving__number")).to_be_visible()
        if words(await clerk.locator(".serving__number").inner_text()) == ticket["number"]:
            break
        await clerk.get_by_role("button", name="办结").click()
    assert words(await clerk.locator(".serving__number").inner_text()) == ticket["number"]

    await clerk.goto("/window/#/visit")
    await clerk.fill("#field-payload", graphql(base, CODE, token=li_mei["token"])["myLuTongCode"]["payload"])
    await clerk.keyboard.press("Enter")
    await clerk.get_by_role("link", name="新生儿出生一件事").click()
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("代办：新生儿出生一件事")
    await expect(clerk.locator(".desk-caption")).to_have_text("为 李* 代为申请")
    # Her own data, not the clerk's: the form was computed for her.
    await expect(clerk.locator("#field-mother-name")).to_have_value("李梅")  # from her marriage certificate
    assert [words(t) for t in await clerk.locator(".proxy-topic > legend").all_inner_texts()][:2] == ["新生儿信息", "母亲信息"]
    await check_screen(clerk, "proxy-form")
    # Submitting with gaps lists them and keeps what was typed.
    await clerk.fill("#field-child-name", "李小满")
    await clerk.get_by_role("button", name="提交申请").click()
    await expect(clerk.locator(".error-summary")).to_be_focused()
    await expect(clerk.locator("#field-child-name")).to_have_value("李小满")

    # What her profile and e-licences did not answer, the clerk types; her files are uploaded at the counter.
    await clerk.get_by_role("group", name="新生儿性别").get_by_label("女", exact=True).check()
    await clerk.get_by_label("免费邮寄到家").check()
    values = {"child.birthDate": (date.today() - timedelta(days=3)).isoformat(), "child.birthPlace": "山东大学齐鲁医院",
              "child.ethnicity": "汉族", "mother.idNumber": LI_MEI_ID_NUMBER, "father.name": "张伟",
              "father.idNumber": new_id_number(born="19890506"), "applicant.address": "济南市历下区泉城路1号",
              "household.address": "济南市历下区解放路100号"}
    for key, value in values.items():
        control = clerk.locator(f"#field-{key.replace('.', '-')}")
        if await control.input_value() == "":
            await control.fill(value)
    for material in await clerk.locator(".desk-material", has=clerk.locator("input[type=file]")).all():
        await material.locator("input[type=file]").set_input_files(
            {"name": "材料.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + uuid.uuid4().bytes})
        await expect(material.locator(".upload-status")).to_have_text("已上传：材料.pdf")
    await clerk.get_by_role("button", name="提交申请").click()
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("受理回执")
    number = (await clerk.locator(".receipt__number").inner_text()).removeprefix("受理编号 ")
    await expect(clerk.locator(".receipt ol li").first).to_contain_text("出生医学证明首次签发：由")
    await check_screen(clerk, "receipt")
    await clerk.emulate_media(media="print")
    assert not await clerk.locator(".site-header").is_visible()
    assert not await clerk.get_by_role("button", name="打印回执").is_visible()
    await expect(clerk.locator(".receipt")).to_be_visible()
    await screenshot(clerk, "window-receipt-print")
    assert (await clerk.pdf())[:5] == b"%PDF-"

    # Her phone lists what the clerk filed for her.
    await phone.reload()
    await expect(phone.locator(".application-card")).to_have_count(before + 1)
    card = phone.locator(".application-card", has_text=f"受理编号 {number}")
    await expect(card).to_contain_text("新生儿出生一件事")
    filed = graphql(base, "query($n: String!) { application(number: $n) { id channel status } }", {"n": number},
                    token=li_mei["token"])["application"]
    assert {"channel": filed["channel"], "status": filed["status"]} == {"channel": "WINDOW", "status": "IN_PROGRESS"}
    await expect(card).to_have_attribute("href", f"#/application/{filed['id']}")

    # Back at the counter in another tab (nothing kept there), the clerk finds the receipt by its number while
    # her consent stands; a number of an application the clerk did not file is not found.
    again = await staff_page(browsing, CLERK)
    await again.goto(f"/window/#/counter/{COUNTER}")
    await again.get_by_role("textbox", name="按受理编号查找").fill(number)
    await again.get_by_role("button", name="查找").click()
    await expect(again).to_have_url(re.compile(rf"#/visit/receipt/{filed['id']}$"))
    await expect(again.locator(".receipt__number")).to_have_text(f"受理编号 {number}")
    await expect(again.locator(".receipt ol li").first).to_contain_text("出生医学证明首次签发：由")
    other = graphql(base, "query($id: ID!) { application(id: $id) { number } }",
                    {"id": apply_by_api(base, register(base, "窗口查号"))}, sign_in(base, "handler-wjw"))
    await again.goto(f"/window/#/counter/{COUNTER}")
    await again.get_by_role("textbox", name="按受理编号查找").fill(other["application"]["number"])
    await again.get_by_role("button", name="查找").click()
    await expect(again.locator(".number-search .field-error")).to_have_text(
        f"没有找到受理编号为 {other['application']['number']} 的办件。窗口只能查到您代办、且办事人扫码授权仍在有效期内的办件")
    assert not browsing.console_errors, browsing.console_errors


DEMO_STAFF = yaml.safe_load((Path(__file__).resolve().parents[2] / "portal" / "demo" / "accounts.yaml").read_text())
HANDLERS = {s["department"]: s["username"] for s in DEMO_STAFF["staff"] if s["role"] == "DEPARTMENT_HANDLER"}
PROGRESS = """query($id: ID!) {
  application(id: $id) { status tasks { id status decidedBy item { code name department { code } } } }
}"""


async def test_handlers_of_every_department_take_the_application_to_done(browsing: Browsing) -> None:
    """Each department's handler, in their own workbench, accepts and approves their task as it becomes ready (an
    approval starts the tasks waiting for it), until the whole application is done; the mother's phone page
    follows every step live and ends on 已办结."""
    base = browsing.base_url
    mother = register(base, "窗口办结")
    application_id = apply_by_api(base, mother, n=2)
    phone = await signed_in_page(browsing, {"width": 390, "height": 844}, mother)
    await phone.goto(f"/m/#/application/{application_id}")
    await expect(phone.get_by_role("heading", level=1)).to_be_visible()
    desks: dict[str, Page] = {}
    approved: list[str] = []
    for _ in range(10):
        progress = graphql(base, PROGRESS, {"id": application_id}, mother["token"])["application"]
        if progress["status"] == "DONE":
            break
        ready = [task for task in progress["tasks"] if task["status"] == "SUBMITTED"]
        assert ready, progress
        for task in ready:
            department = task["item"]["department"]["code"]
            if department not in desks:
                desks[department] = await staff_page(browsing, HANDLERS[department])
            desk = desks[department]
            await desk.goto(f"/window/#/task/{application_id}/{task['id']}")
            name = task["item"]["name"]
            await expect(desk.get_by_role("heading", level=1)).to_have_text(f"办理：{name}")
            await desk.get_by_role("button", name="受理", exact=True).click()
            await expect(desk.locator(".desk-status")).to_have_text(f"已受理“{name}”")
            await desk.get_by_role("button", name="办结").click()
            await expect(desk.locator(".desk-status")).to_have_text(f"已办结“{name}”")
            card = phone.locator(".task-card", has=phone.get_by_role("heading", name=name))
            await expect(card).to_contain_text("已办结")
            approved.append(department)
    assert progress["status"] == "DONE", progress
    # Every task by its department's handler, except those an item's rule decided at once (秒批: the demo catalog
    # insures a newborn of Shandong parents when 出生登记 is done).
    by_rule = [t for t in progress["tasks"] if t["decidedBy"] == "RULE"]
    assert len(approved) + len(by_rule) == len(progress["tasks"]) == 5 and len(set(approved)) == len(approved), approved
    await expect(phone.locator("main")).to_contain_text("已办结")
    assert not browsing.console_errors, browsing.console_errors
