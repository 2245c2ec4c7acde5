"""The merged form and what follows it in the mobile client: a newly registered citizen applies for the
newborn bundle through the task list (a missing answer is caught on its page, a birth date in the future by
the API on submission, and nothing typed is lost), then watches handlers accept and approve live without a
reload, answers a supplement request (补正), rates the finished task (好差评); "my applications" opens offline
after one visit."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Page, expect

from tests.applications.support import child_name
from tests.browser.conftest import DESKTOP, PHONE, Browsing, assert_accessible, graphql, screenshot, sign_in, words
from tests.helpers import new_id_number, new_phone

NEWBORN = "newborn"
PAGE_SIZE = 10  # views/applications.js
PASSWORD = "Quancheng-2115!"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
REGISTER = """mutation($input: RegisterCitizenInput!) {
  registerCitizen(input: $input) { __typename ... on AuthPayload { token expiresAt account { id kind displayName } } }
}"""
SUBMIT = """mutation($input: SubmitBundleApplicationInput!) {
  submitBundleApplication(input: $input) {
    __typename ... on Application { id } ... on FormInvalid { errors { field message } }
  }
}"""
APPLICATION = """query($id: ID!) {
  application(id: $id) { number channel status formValues tasks { id status version item { code } } }
}"""
ACCEPT = "mutation($id: ID!, $v: Int!) { acceptTask(id: $id, version: $v) { __typename ... on Task { version } } }"
APPROVE = "mutation($id: ID!, $v: Int!) { approveTask(id: $id, version: $v) { __typename ... on Task { version } } }"
REQUEST_SUPPLEMENT = """mutation($id: ID!, $v: Int!, $fields: [String!]!, $message: String) {
  requestSupplement(id: $id, version: $v, fields: $fields, message: $message) { __typename ... on Task { version } }
}"""
BIRTH_CERTIFICATE_ITEM = "370100-WJW-001"  # 出生医学证明首次签发, 济南市卫健委 (handler-wjw)
BIRTH_REGISTRATION_ITEM = "370100-GAJ-001"  # 出生登记, 济南市公安局 (handler-gaj), after the certificate
# The citizen uploads what no e-licence of theirs and no earlier item of the bundle provides.
# 出生登记 issues the updated 居民户口簿, but needs the parents' one to start with: it is uploaded too.
UPLOADS = ["医学出生记录", "居民身份证", "新生儿乙肝疫苗和卡介苗首剂接种记录", "居民户口簿"]
UPLOAD_CODES = ["birth-medical-record", "resident-id-card", "newborn-vaccination-record", "household-register"]
# Resolves once the service worker controls the page, fails after 15 s (the page's CSP refuses the eval
# wait_for_function needs).
CONTROLLED = """navigator.serviceWorker.controller ? true : Promise.race([
  new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true))),
  new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker took control")), 15000)),
])"""
TOPICS = ["新生儿信息", "母亲信息", "父亲信息", "申请人信息", "户籍信息", "证件领取"]


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def register(base: str, name: str) -> dict[str, Any]:
    """A new citizen's AuthPayload, plus the ID number they registered with."""
    id_number = new_id_number(born="19930415")
    data = graphql(base, REGISTER, {"input": {"name": name, "idNumber": id_number, "phone": new_phone(),
                                              "password": PASSWORD}})
    assert data["registerCitizen"]["__typename"] == "AuthPayload", data
    return {**data["registerCitizen"], "idNumber": id_number}


async def signed_in_page(browsing: Browsing, viewport: dict[str, int], auth: dict[str, Any]) -> Page:
    """A page whose browser holds the citizen's session, as session.js keeps it after signing in."""
    page = await browsing.page(viewport)
    session = {key: auth[key] for key in ("token", "expiresAt", "account")}
    await page.add_init_script(f"localStorage.setItem('portal.session', {json.dumps(json.dumps(session))})")
    return page


def newborn_values(mother: dict[str, Any], name: str = "张小满") -> dict[str, Any]:
    return {
        "child.name": name, "child.gender": "FEMALE", "child.birthDate": (today() - timedelta(days=5)).isoformat(),
        "child.birthPlace": "山东大学齐鲁医院", "child.ethnicity": "汉族",
        "mother.name": mother["account"]["displayName"], "mother.idNumber": mother["idNumber"],
        "father.name": "张建国", "father.idNumber": new_id_number(born="19890506"),
        "applicant.address": "济南市历下区泉城路1号", "household.address": "济南市历下区解放路100号",
        "delivery.method": "MAIL",
    }


def upload_materials(base: str, auth: dict[str, Any]) -> list[dict[str, str]]:
    """The materials the citizen must upload, uploaded (POST /uploads) as another terminal would."""
    materials = []
    for code in UPLOAD_CODES:
        response = httpx.post(f"{base}/uploads", content=PNG, timeout=30, headers={
            "authorization": f"Bearer {auth['token']}", "x-file-name": f"{code}.png"})
        assert response.status_code == 201, response.text
        materials.append({"code": code, "fileId": response.json()["id"]})
    return materials


def apply_by_api(base: str, auth: dict[str, Any], materials: list[dict[str, str]] | None = None, n: int = 0) -> str:
    """The n-th newborn application of the citizen, submitted through the API; its id."""
    data = graphql(base, SUBMIT, {"input": {
        # Each of a mother's applications is for another child (the same child twice is refused as a duplicate).
        "bundleCode": NEWBORN, "formValues": newborn_values(auth, "张小满" if n == 0 else child_name()),
        "channel": "MOBILE",
        "materials": materials or upload_materials(base, auth),
        "idempotencyKey": f"browser-{auth['account']['id']}-{n}"}}, auth["token"])
    assert data["submitBundleApplication"]["__typename"] == "Application", data
    return data["submitBundleApplication"]["id"]


def task_of(base: str, application_id: str, token: str, item: str) -> dict[str, Any]:
    tasks = graphql(base, APPLICATION, {"id": application_id}, token)["application"]["tasks"]
    return next(task for task in tasks if task["item"]["code"] == item)


def act(base: str, token: str, mutation: str, **variables: Any) -> int:
    """A handler's action on a task; the task's new version."""
    result = next(iter(graphql(base, mutation, variables, token).values()))
    assert result["__typename"] == "Task", result
    return result["version"]


async def task_list(page: Page) -> list[tuple[str, str]]:
    await page.locator(".task-list").wait_for()
    rows = []
    for item in await page.locator(".task-list__item").all():
        rows.append((words(await item.locator("a, span").first.inner_text()),
                     words(await item.locator(".tag").inner_text())))
    return rows


async def field_error(page: Page, key: str) -> str:
    return words(await page.locator(".field", has=page.locator(f"#field-{key}")).locator(".field-error").inner_text())


async def task_row(page: Page, item_name: str) -> str:
    return words(await page.locator(".task-card", has=page.get_by_role("heading", name=item_name)).inner_text())


async def check_at_both_sizes(page: Page, name: str) -> None:
    """Accessibility and a screenshot of the screen as it is, on a phone and on a desktop."""
    for viewport in (PHONE, DESKTOP):
        await page.set_viewport_size(viewport)
        await assert_accessible(page)
        await screenshot(page, name)
    await page.set_viewport_size(PHONE)


async def save(page: Page) -> None:
    await page.get_by_role("button", name="保存并继续").click()


async def register_in_the_client(page: Page, name: str) -> dict[str, Any]:
    """Sign up through the client's form; the session it stored, plus the ID number."""
    id_number = new_id_number(born="19930415")
    await page.goto("/m/#/signup")
    await page.fill("#field-name", name)
    await page.fill("#field-idNumber", id_number)
    await page.fill("#field-phone", new_phone())
    await page.fill("#field-password", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page.locator(".site-nav__name")).to_have_text(name)
    return {**json.loads(await page.evaluate("localStorage.getItem('portal.session')")), "idNumber": id_number}


async def test_a_citizen_registers_applies_for_the_newborn_bundle_sees_the_approval_live_and_rates_it(
        browsing: Browsing, portal_url: str) -> None:
    page = await browsing.page(PHONE)
    mother = await register_in_the_client(page, "赵小燕")
    values = newborn_values(mother)
    await page.goto(f"/m/#/bundle/{NEWBORN}")
    await page.get_by_role("link", name="开始办理").click()
    await expect(page).to_have_url(re.compile(f"#/apply/{NEWBORN}$"))
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    assert await task_list(page) == [*((topic, "未开始") for topic in TOPICS), ("申请材料", "未开始"),
                                     ("检查您的填写", "尚不能开始")]
    assert words(await page.inner_text(".task-list__progress")) == "已完成 0 / 7 项"
    await check_at_both_sizes(page, "apply-task-list")

    # A required answer left out is caught on its page, and what was typed stays.
    await page.get_by_role("link", name="新生儿信息").click()
    await expect(page.locator("main h1")).to_have_text("新生儿信息")
    future = today() + timedelta(days=30)
    await page.get_by_role("group", name="新生儿性别").get_by_label("女", exact=True).check()
    await page.get_by_label("新生儿出生日期").fill(future.isoformat())
    await page.get_by_label("出生地点").fill(values["child.birthPlace"])
    await page.get_by_label("新生儿民族").fill(values["child.ethnicity"])
    await save(page)
    assert await field_error(page, "child-name") == "请填写新生儿姓名"
    assert words(await page.inner_text(".error-summary")) == "请修改以下问题 请填写新生儿姓名"
    await expect(page.get_by_label("出生地点")).to_have_value(values["child.birthPlace"])
    await page.get_by_label("新生儿姓名").fill(values["child.name"])
    await check_at_both_sizes(page, "apply-topic")
    await save(page)
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    assert (await task_list(page))[0] == ("新生儿信息", "已完成")

    for topic, answers in [("母亲信息", ["mother.name", "mother.idNumber"]),
                           ("父亲信息", ["father.name", "father.idNumber"]),
                           ("申请人信息", ["applicant.address"]), ("户籍信息", ["household.address"])]:
        await page.get_by_role("link", name=topic).click()
        await expect(page.locator("main h1")).to_have_text(topic)
        if topic == "申请人信息":  # prefilled from the citizen's real-name account
            await expect(page.locator("#field-applicant-name")).to_have_value("赵小燕")
            await expect(page.locator("#field-applicant-idNumber")).to_have_value(mother["idNumber"])
        for key in answers:
            await page.fill(f"#field-{key.replace('.', '-')}", values[key])
        await save(page)
    await page.get_by_role("link", name="证件领取").click()
    await page.get_by_label("免费邮寄到家").check()
    await save(page)

    await page.get_by_role("link", name="申请材料").click()
    await expect(page.locator("main h1")).to_have_text("申请材料")
    await expect(page.locator(".apply-material", has_text="出生医学证明").locator(".apply-material__covered")).to_have_text(
        "由本件事中的“出生医学证明首次签发”办结后自动提供，无需上传")
    for name in UPLOADS:
        await page.get_by_label(f"上传“{name}”").set_input_files(
            {"name": f"{name}.png", "mimeType": "image/png", "buffer": PNG})
        await expect(page.locator(".apply-material", has=page.get_by_label(f"上传“{name}”")).locator(".upload-status")
                     ).to_have_text(f"已上传：{name}.png")
    await save(page)
    assert await task_list(page) == [*((topic, "已完成") for topic in TOPICS), ("申请材料", "已完成"),
                                     ("检查您的填写", "未开始")]

    await page.get_by_role("link", name="检查您的填写").click()
    await expect(page.locator("main h1")).to_have_text("检查您的填写")
    answers = {words(await row.locator("dt").inner_text()): words(await row.locator("dd").first.inner_text())
               for row in await page.locator(".check-list__row").all()}
    assert answers["新生儿性别"] == "女"
    assert answers["新生儿出生日期"] == future.strftime("%Y/%m/%d")
    assert answers["证件领取方式"] == "免费邮寄到家"
    assert "新生儿公民身份号码" not in answers  # 出生登记 issues it on the way: the form does not ask it
    assert answers["申请人姓名"] == "赵小燕"
    assert answers["医学出生记录"] == "已上传：医学出生记录.png"
    assert answers["出生医学证明"] == "办理中签发"
    assert answers["居民户口簿"] == "已上传：居民户口簿.png"
    assert answers["结婚证"] == "未提供"
    await check_at_both_sizes(page, "apply-check")

    # The API refuses a birth date in the future: the problem is listed on the check page and shown next to
    # its field on the topic page, with every other answer kept.
    await page.get_by_role("button", name="确认并提交申请").click()
    message = f"新生儿出生日期不能晚于今天（{today().isoformat()}）"
    await expect(page.locator(".error-summary")).to_have_text(re.compile(re.escape(message)))
    assert words(await page.inner_text(".error-summary li")) == message
    await page.get_by_role("link", name=message).click()
    await expect(page.locator("main h1")).to_have_text("新生儿信息")
    assert await field_error(page, "child-birthDate") == message
    await expect(page.get_by_label("新生儿姓名")).to_have_value(values["child.name"])
    await page.get_by_label("新生儿出生日期").fill(values["child.birthDate"])
    await save(page)
    await expect(page.locator("main h1")).to_have_text("检查您的填写")
    await expect(page.locator(".error-summary")).to_have_count(0)
    await page.get_by_role("button", name="确认并提交申请").click()

    # The confirmation: the 受理编号, each item with its department and promised days, what happens next.
    await expect(page).to_have_url(re.compile(r"#/application/\d+/submitted$"))
    await expect(page.locator("main h1")).to_have_text("申请已提交")
    application_id = page.url.rsplit("/", 2)[1]
    stored = graphql(portal_url, APPLICATION, {"id": application_id}, mother["token"])["application"]
    await expect(page.locator(".confirmation__number")).to_have_text(stored["number"])
    assert re.fullmatch(r"B370100\d{8}\d{6}[\dX]", stored["number"]), stored["number"]
    assert stored["channel"] == "MOBILE"
    items = [words(text) for text in await page.locator(".submitted-items li").all_inner_texts()]
    assert items[0] == "出生医学证明首次签发 济南市卫生健康委员会办理，3 个工作日内办结 现在开始办理", items
    assert "出生登记（新生儿落户） 济南市公安局办理，" in items[2] and items[2].endswith(
        "等“出生医学证明首次签发”办结后开始"), items
    assert len(items) == len(stored["tasks"])
    summary = words(await page.locator("main .summary-list").inner_text())
    assert "整件承诺时限 9 个工作日内办结" in summary, summary
    assert "补正" in words(await page.locator(".submitted-next").inner_text())
    await check_at_both_sizes(page, "apply-submitted")
    await page.get_by_role("link", name="查看办理进度").click()
    await expect(page).to_have_url(re.compile(rf"#/application/{application_id}$"))
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    await expect(page.locator("main .summary-list dd").first).to_have_text(stored["number"])
    assert stored["formValues"]["child.birthDate"] == values["child.birthDate"]
    assert stored["formValues"]["child.gender"] == "FEMALE"
    assert await page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('portal.apply.'))") == []

    # The department approves the birth certificate: the page shows it without a reload, and she rates it.
    await expect(page.locator(".progress-live")).to_have_text("实时更新中")
    await page.evaluate("window.stillTheSamePage = true")
    wjw = sign_in(portal_url, "handler-wjw")
    certificate = task_of(portal_url, application_id, mother["token"], BIRTH_CERTIFICATE_ITEM)
    version = act(portal_url, wjw, ACCEPT, id=certificate["id"], v=certificate["version"])
    act(portal_url, wjw, APPROVE, id=certificate["id"], v=version)
    await expect(page.locator(".progress-news")).to_have_text(
        "最新动态：“出生医学证明首次签发”已办结；“出生登记（新生儿落户）”已提交")
    assert "状态 已办结" in await task_row(page, "出生医学证明首次签发")
    rating = page.locator(".rating")
    await rating.locator("label[for='field-rating-5']").click()
    await rating.get_by_role("button", name="提交评价").click()
    await expect(rating.locator(".rating__entry")).to_have_text(
        "★★★★★ 您对“出生医学证明首次签发”的评价：5 星（非常满意）")
    assert await page.evaluate("window.stillTheSamePage") is True
    assert browsing.console_errors == []


async def test_the_application_page_follows_handlers_live_takes_a_supplement_and_a_rating(browsing: Browsing,
                                                                                          portal_url: str) -> None:
    citizen = register(portal_url, "钱小雨")
    application_id = apply_by_api(portal_url, citizen)
    page = await signed_in_page(browsing, PHONE, citizen)
    await page.goto(f"/m/#/application/{application_id}")
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    await expect(page.locator(".progress-live")).to_have_text("实时更新中")
    assert await task_row(page, "出生医学证明首次签发") == (
        f"出生医学证明首次签发 办理部门 济南市卫生健康委员会 状态 已提交 承诺办结时间 {await deadline_shown(page, 0)}")
    assert await task_row(page, "出生登记（新生儿落户）") == (
        "出生登记（新生儿落户） 办理部门 济南市公安局 状态 等待前置事项 承诺办结时间 前置事项办结后开始计时")
    await expect(page.locator(".rating")).to_be_hidden()
    # Marks this document: a reload or a navigation would lose it.
    await page.evaluate("window.stillTheSamePage = true")
    url = page.url

    wjw = sign_in(portal_url, "handler-wjw")
    certificate = task_of(portal_url, application_id, citizen["token"], BIRTH_CERTIFICATE_ITEM)
    version = act(portal_url, wjw, ACCEPT, id=certificate["id"], v=certificate["version"])
    await expect(page.locator(".progress-news")).to_have_text("最新动态：“出生医学证明首次签发”已受理")
    assert "状态 已受理" in await task_row(page, "出生医学证明首次签发")
    act(portal_url, wjw, APPROVE, id=certificate["id"], v=version)
    await expect(page.locator(".progress-news")).to_have_text(
        "最新动态：“出生医学证明首次签发”已办结；“出生登记（新生儿落户）”已提交")
    assert "状态 已办结" in await task_row(page, "出生医学证明首次签发")
    registration_row = await task_row(page, "出生登记（新生儿落户）")
    assert "状态 已提交" in registration_row and "前置事项办结后开始计时" not in registration_row

    # 补正: the police ask for the household address again; the request shows live, the citizen answers,
    # and the task goes back to the handler's worklist as submitted.
    gaj = sign_in(portal_url, "handler-gaj")
    registration = task_of(portal_url, application_id, citizen["token"], BIRTH_REGISTRATION_ITEM)
    act(portal_url, gaj, REQUEST_SUPPLEMENT, id=registration["id"], v=registration["version"],
        fields=["household.address"], message="请填写到门牌号和户号")
    supplement = page.locator(".supplement")
    await expect(supplement.locator(".apply-notice")).to_have_text(
        re.compile("“出生登记（新生儿落户）”要求补正\\s*部门说明：请填写到门牌号和户号\\s*需要补正的信息：户籍登记地址"))
    await expect(page.locator("main dl").first.locator(".tag")).to_have_text("待补正")
    await expect(supplement.get_by_label("户籍登记地址")).to_have_value("济南市历下区解放路100号")
    await assert_accessible(page)
    await screenshot(page, "application-supplement")
    await supplement.get_by_label("户籍登记地址").fill("济南市历下区解放路100号3单元502户")
    await supplement.get_by_role("button", name="提交补正").click()
    await expect(page.locator(".progress-news")).to_have_text(
        "最新动态：补正已提交，相关事项重新进入办理；“出生登记（新生儿落户）”已提交；整件申请：办理中")
    await expect(supplement).to_be_hidden()
    stored = graphql(portal_url, APPLICATION, {"id": application_id}, gaj)["application"]
    assert stored["formValues"]["household.address"] == "济南市历下区解放路100号3单元502户"
    assert next(t for t in stored["tasks"] if t["item"]["code"] == BIRTH_REGISTRATION_ITEM)["status"] == "SUBMITTED"

    # 好差评 of the finished task: stars chosen with the keyboard.
    rating = page.locator(".rating")
    await expect(rating.get_by_label("评价对象")).to_have_text("“出生医学证明首次签发”")
    await rating.locator("#field-rating-1").focus()
    for _ in range(3):
        await page.keyboard.press("ArrowRight")
    await expect(rating.get_by_label("4 星：满意")).to_be_checked()
    await expect(rating.locator(".rating-stars__meaning")).to_have_text("满意")
    await rating.get_by_label("评价内容（选填）").fill("网上办理很方便")
    await rating.get_by_role("button", name="提交评价").click()
    await expect(rating.locator(".rating__entry")).to_have_text(
        "★★★★☆ 您对“出生医学证明首次签发”的评价：4 星（满意）网上办理很方便")
    await expect(rating.locator(".rating__form")).to_be_hidden()
    await assert_accessible(page)
    await screenshot(page, "application-progress")

    assert await page.evaluate("window.stillTheSamePage") is True
    assert page.url == url

    desktop = await signed_in_page(browsing, DESKTOP, citizen)
    await desktop.goto(f"/m/#/application/{application_id}")
    await expect(desktop.locator(".progress-live")).to_have_text("实时更新中")
    # Another device reads the rating back (myEvaluation) instead of offering the form again.
    await expect(desktop.locator(".rating .rating__entry")).to_have_text(
        "★★★★☆ 您对“出生医学证明首次签发”的评价：4 星（满意）网上办理很方便")
    await expect(desktop.locator(".rating__form")).to_be_hidden()
    await assert_accessible(desktop)
    await screenshot(desktop, "application-progress")
    assert browsing.console_errors == []


async def deadline_shown(page: Page, index: int) -> str:
    """The deadline of the index-th task as the page formats it (Asia/Shanghai, to the minute)."""
    return words(await page.locator(".task-card").nth(index).locator("dd").nth(2).inner_text())


async def test_my_applications_page_and_open_offline_after_one_visit(browsing: Browsing, portal_url: str) -> None:
    citizen = register(portal_url, "孙小禾")
    materials = upload_materials(portal_url, citizen)
    ids = [apply_by_api(portal_url, citizen, materials, n) for n in range(PAGE_SIZE + 1)]
    newest = graphql(portal_url, "query($id: ID!) { application(id: $id) { number createdAt } }",
                     {"id": ids[-1]}, citizen["token"])["application"]
    shown_time = datetime.fromisoformat(newest["createdAt"]).astimezone(ZoneInfo("Asia/Shanghai")).strftime(
        "%Y/%m/%d %H:%M")

    page = await signed_in_page(browsing, PHONE, citizen)
    await page.goto("/m/#/applications")
    await page.evaluate(CONTROLLED)
    await page.reload()  # this visit's list goes through the service worker, which keeps it
    await expect(page.locator("main h1")).to_have_text("我的办件")
    cards = page.locator(".application-card")
    await expect(cards).to_have_count(PAGE_SIZE)
    assert words(await cards.first.inner_text()) == (
        f"新生儿出生一件事 办理中 已办结 0 / 5 个事项 受理编号 {newest['number']} · 提交于 {shown_time}")
    assert [await card.get_attribute("href") for card in await cards.all()] == [
        f"#/application/{i}" for i in reversed(ids[1:])]  # newest first
    assert words(await page.inner_text("main .muted")) == f"共 {PAGE_SIZE + 1} 件"
    await assert_accessible(page)
    await screenshot(page, "my-applications")

    await page.get_by_role("button", name="加载更多").click()
    await expect(cards).to_have_count(PAGE_SIZE + 1)
    await expect(cards.last).to_have_attribute("href", f"#/application/{ids[0]}")
    await expect(cards.last).to_be_focused()
    await expect(page.get_by_role("button", name="加载更多")).to_be_hidden()

    await page.context.set_offline(True)
    await page.reload()
    await expect(page.locator("main h1")).to_have_text("我的办件")
    await expect(page.locator("#offline-notice")).to_have_text("当前处于离线状态，显示的是上次访问时保存的内容")
    await expect(cards).to_have_count(PAGE_SIZE)
    assert words(await cards.first.inner_text()) == (
        f"新生儿出生一件事 办理中 已办结 0 / 5 个事项 受理编号 {newest['number']} · 提交于 {shown_time}")
    await page.context.set_offline(False)

    desktop = await signed_in_page(browsing, DESKTOP, citizen)
    await desktop.goto("/m/#/applications")
    await expect(desktop.locator(".application-card")).to_have_count(PAGE_SIZE)
    await assert_accessible(desktop)
    await screenshot(desktop, "my-applications")
    assert browsing.console_errors == []


# Every field type as fieldControl renders it: [type, tag, input type, inputmode, radios] and the value read back.
EVERY_TYPE = """async () => {
  const { fieldControl, readValue } = await import("/shared/apply-fields.js");
  const types = ["TEXT", "DATE", "NUMBER", "PHONE", "ID_NUMBER", "CREDIT_CODE", "SELECT", "BOOLEAN", "ADDRESS"];
  const options = [{ value: "A", label: "甲" }, { value: "B", label: "乙" }];
  const form = document.createElement("form");
  const fields = types.map((type) => ({ key: `x.${type}`, label: type, type, required: true, hint: "",
    options: type === "SELECT" ? options : [], validation: {} }));
  fields.push({ key: "x.long", label: "long", type: "SELECT", required: false, hint: "", validation: {},
    options: "ABCDEF".split("").map((value) => ({ value, label: value })) });
  fields.push({ key: "x.multiline", label: "multiline", type: "TEXT", required: false, hint: "",
    options: [], validation: { multiline: true } });
  const values = { "x.SELECT": "B", "x.BOOLEAN": false, "x.NUMBER": "12.5", "x.long": "C" };
  for (const field of fields) form.append(fieldControl(field, values[field.key]));
  return fields.map((field) => {
    const control = form.querySelector(`[name="${field.key}"]`);
    return [field.label, control.tagName, control.getAttribute("type"), control.getAttribute("inputmode"),
            form.querySelectorAll(`[name="${field.key}"]`).length, readValue(form, field)];
  });
}"""


async def test_every_field_type_renders_as_its_control(browsing: Browsing) -> None:
    page = await browsing.page(PHONE)
    await page.goto("/m/#/no-such-screen")  # the shell alone, whatever the other screens do
    await expect(page.locator("main h1")).to_have_text("找不到这个页面")
    assert await page.evaluate(EVERY_TYPE) == [
        ["TEXT", "INPUT", "text", None, 1, ""],
        ["DATE", "INPUT", "date", None, 1, ""],
        ["NUMBER", "INPUT", "text", "decimal", 1, "12.5"],
        ["PHONE", "INPUT", "tel", "numeric", 1, ""],
        ["ID_NUMBER", "INPUT", "text", None, 1, ""],
        ["CREDIT_CODE", "INPUT", "text", None, 1, ""],
        ["SELECT", "INPUT", "radio", None, 2, "B"],
        ["BOOLEAN", "INPUT", "radio", None, 2, False],
        ["ADDRESS", "INPUT", "text", None, 1, ""],
        ["long", "SELECT", None, None, 1, "C"],
        ["multiline", "TEXTAREA", None, None, 1, ""],
    ]


# Keeps every WebSocket the page opens and every frame it sends, so a test can drop the connection.
TRACK_SOCKETS = """
window.__sockets = [];
window.__sent = [];
window.__received = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    window.__sockets.push(this);
    this.addEventListener("message", (event) => window.__received.push(JSON.parse(event.data)));
  }
  send(data) { window.__sent.push(JSON.parse(data)); super.send(data); }
};
"""


async def test_a_dropped_connection_reconnects_and_resumes_after_the_last_event(browsing: Browsing,
                                                                                portal_url: str) -> None:
    citizen = register(portal_url, "周小舟")
    application_id = apply_by_api(portal_url, citizen)
    page = await signed_in_page(browsing, PHONE, citizen)
    await page.add_init_script(TRACK_SOCKETS)
    await page.goto(f"/m/#/application/{application_id}")
    await expect(page.locator(".progress-live")).to_have_text("实时更新中")
    await page.evaluate("window.stillTheSamePage = true")
    first = await page.evaluate("window.__sent.filter(f => f.type === 'subscribe')")
    assert [f["payload"]["variables"]["after"] for f in first] == [None]
    # The submission event is replayed after the subscription is live; the page has seen it before the drop (on
    # a busy machine "实时更新中" can show first).
    await page.wait_for_function("() => window.__received.some(f => f.type === 'next')")

    # The connection drops (not by the server's choice) and the page connects again by itself.
    await page.evaluate("window.__sockets.forEach(socket => socket.close(4000, 'network gone'))")
    wjw = sign_in(portal_url, "handler-wjw")
    certificate = task_of(portal_url, application_id, citizen["token"], BIRTH_CERTIFICATE_ITEM)
    act(portal_url, wjw, ACCEPT, id=certificate["id"], v=certificate["version"])
    await expect(page.locator(".progress-news")).to_have_text("最新动态：“出生医学证明首次签发”已受理")
    await expect(page.locator(".progress-live")).to_have_text("实时更新中")
    subscriptions = await page.evaluate("window.__sent.filter(f => f.type === 'subscribe')")
    # The second subscription resumed after the submission event instead of replaying from the start.
    assert [f["payload"]["variables"]["after"] for f in subscriptions] == [None, "1"]
    assert await page.evaluate("window.__sockets.length") == 2
    assert await page.evaluate("window.stillTheSamePage") is True
