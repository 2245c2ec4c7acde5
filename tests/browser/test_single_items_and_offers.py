"""单事项, 秒批 and 免申即享 in the clients, pages side by side, each signed in as its person.

A citizen on a computer searches for a 单事项 word (无犯罪证明), finds the item on its own among the results with its
department and promised days, applies for it through the same bundle page and form, and the application's channel
is DESKTOP. A hotel desk (济南舜耕山庄, LODGING) checks a guest in from the code on 李梅's phone: the registration
comes back done at once, both tasks 秒批, and her phone shows it so without any handler. A mother applies for the
newborn bundle on her phone; the handlers of 市卫健委 and 市公安局 approve up to 出生登记 on their workbenches; her
application page shows the offer that approval made (免申即享), she taps 一键申请, finishes the prefilled form if
something is still missing, and the offer is answered.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Browsing, assert_accessible, demo_portal, graphql, screenshot, words
from tests.browser.test_apply_and_follow import (
    BIRTH_CERTIFICATE_ITEM,
    BIRTH_REGISTRATION_ITEM,
    PNG,
    UPLOADS,
    newborn_values,
    register,
    save,
    signed_in_page,
)
from tests.browser.test_lutong_and_appeals import log_in
from tests.browser.test_lutong_scenes import EVERY_SCENE, LI_MEI, scan_at, shown_payload
from tests.browser.test_window import staff_page

NO_CRIMINAL_RECORD = "370200-GAJ-001"  # 无犯罪记录证明开具, 青岛市公安局, offered on DESKTOP
HOTEL = "hotel-shungeng"
APPLICATION = """query($id: ID!) {
  application(id: $id) { id number channel status bundle { code singleItem } tasks { status decidedBy rule }
                         offers { id status } }
}"""
PROGRESS = """query($id: ID!) {
  application(id: $id) { status tasks { id status item { code name department { code } } } }
}"""
OFFERS = "{ me { offers { id status bundle { code name } } } }"
CHECK_INS = "{ me { applications(first: 1) { edges { node { id number bundle { code } } } } } }"
# The newborn form's pages: the answers typed (newborn_values), the options chosen (group, option).
NEWBORN_TOPICS = {
    "新生儿信息": (["child.name", "child.birthPlace", "child.ethnicity", "child.birthDate"], [("新生儿性别", "女")]),
    "母亲信息": (["mother.name", "mother.idNumber"], []),
    "父亲信息": (["father.name", "father.idNumber"], []),
    "申请人信息": (["applicant.address"], []),
    "户籍信息": (["household.address"], []),
    "证件领取": ([], [("证件领取方式", "免费邮寄到家")]),
}
# 出生登记 offers this when the catalog does not say what it offers (免申即享): a bundle whose form asks what the
# newborn form did not (the card's bank), so that the one tap opens the form.
FALLBACK_OFFER = {"bundle": "social-security-card-services", "reason": "孩子已落户，可一并为全家办理社会保障卡服务",
                  "when": []}


async def confirmation_number(page: Page) -> str:
    await expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    return words(await page.locator(".confirmation__number").inner_text())


def application_of_number(base: str, token: str, number: str) -> dict[str, Any]:
    found = graphql(base, "query($n: String!) { application(number: $n) { id } }", {"n": number}, token)
    return graphql(base, APPLICATION, {"id": found["application"]["id"]}, token)["application"]


async def test_a_citizen_on_a_computer_applies_for_one_item_on_its_own(browsing: Browsing, portal_url: str) -> None:
    citizen = register(portal_url, "周单项")
    page = await signed_in_page(browsing, DESKTOP, citizen)
    await page.goto("/m/")
    await expect(page.locator(".catalog-count")).to_have_text(re.compile("^共 "))
    await page.get_by_label("搜索一件事").fill("无犯罪证明")
    await page.keyboard.press("Enter")
    await expect(page.locator(".catalog-count")).to_have_text(re.compile("^“无犯罪证明”找到 [1-9]"))
    card = page.locator(".bundle-card", has_text="无犯罪记录证明开具")
    await expect(card).to_be_visible()
    assert words(await card.locator(".bundle-card__facts").inner_text()) == "承诺 1 个工作日办结 青岛市公安局办理"
    assert words(await card.locator(".bundle-card__tags").inner_text()) == "单事项 个人办事"
    await assert_accessible(page)
    await screenshot(page, "search-single-item")

    await card.get_by_role("link", name="无犯罪记录证明开具").click()
    code = f"item-{NO_CRIMINAL_RECORD.lower()}"
    await expect(page).to_have_url(re.compile(f"#/bundle/{code}$"))
    await expect(page.locator(".bundle-page__head .tag")).to_have_text("单事项")
    assert "电脑网页" in words(await page.locator(".bundle-facts").inner_text())
    await page.get_by_role("link", name="开始办理").click()
    await expect(page).to_have_url(re.compile(f"#/apply/{code}$"))

    await page.get_by_role("link", name="申请人信息").click()
    await expect(page.locator("#field-applicant-name")).to_have_value("周单项")
    await save(page)
    await page.get_by_role("link", name="证明用途").click()
    await page.get_by_role("group", name="证明用途").get_by_label("就业", exact=True).check()
    await save(page)
    await page.get_by_role("link", name="申请材料").click()
    await page.get_by_label("上传“居民身份证”").set_input_files({"name": "身份证.png", "mimeType": "image/png",
                                                               "buffer": PNG})
    await expect(page.locator(".upload-status").first).to_have_text("已上传：身份证.png")
    await save(page)
    await page.get_by_role("link", name="检查您的填写").click()
    await page.get_by_role("button", name="确认并提交申请").click()
    number = await confirmation_number(page)

    application = application_of_number(portal_url, citizen["token"], number)
    assert application["channel"] == "DESKTOP"
    assert application["bundle"] == {"code": code, "singleItem": True}
    assert [task["status"] for task in application["tasks"]] == ["SUBMITTED"]
    assert not browsing.console_errors, browsing.console_errors


async def test_a_hotel_check_in_is_done_by_rule_without_a_handler(browsing: Browsing, portal_url: str) -> None:
    li_mei = log_in(portal_url, LI_MEI)
    phone = await signed_in_page(browsing, PHONE, li_mei)
    desk = await staff_page(browsing, HOTEL)
    await phone.goto("/m/#/lutong")
    await phone.get_by_role("img", name=EVERY_SCENE).wait_for()
    await phone.get_by_text("扫不出来？显示码的内容").click()
    payload = await shown_payload(phone)

    await desk.goto("/window/")
    await desk.locator("#site-nav").get_by_role("link", name="入住登记").click()
    await expect(desk.get_by_role("heading", level=1)).to_have_text("入住登记")
    await scan_at(desk, payload)  # Enter before the room is typed: the form says what is missing
    await expect(desk.locator(".field-error")).to_have_text("请填写房间号")
    await desk.fill("#field-payload", payload)
    await desk.get_by_label("房间号").fill("1208")
    await desk.get_by_label("入住晚数").fill("2")
    await desk.get_by_role("button", name="核验并登记入住").click()
    await expect(desk.locator(".check-in__status")).to_have_text("已办结")
    lines = [words(text) for text in await desk.locator(".check-in__task").all_inner_texts()]
    assert len(lines) == 2 and all("系统自动审批（秒批）" in line for line in lines), lines
    number = words(await desk.locator(".summary-list dd").first.inner_text())
    await assert_accessible(desk)
    await screenshot(desk, "window-check-in")

    # Her phone: the registration is done, each task by its rule; nobody handled it.
    await phone.goto("/m/#/applications")
    await phone.locator(".application-card", has_text=f"受理编号 {number}").click()
    await expect(phone.locator(".summary-list").first).to_contain_text("已办结")
    cards = phone.locator(".task-card")
    await expect(cards).to_have_count(2)
    for card in await cards.all():
        text = words(await card.inner_text())
        assert "状态 已办结" in text and "审批方式 系统自动审批（秒批）" in text, text
    application = application_of_number(portal_url, li_mei["token"], number)
    assert application["status"] == "DONE"
    assert {task["decidedBy"] for task in application["tasks"]} == {"RULE"}
    assert all(task["rule"] for task in application["tasks"])
    for card in await cards.all():
        rule = words(await card.locator("dd").nth(4).inner_text())
        assert rule in {task["rule"] for task in application["tasks"]}
    await assert_accessible(phone)
    await screenshot(phone, "application-instant")
    assert not browsing.console_errors, browsing.console_errors


# The tests of this module run on a portal of their own: the 免申即享 test may say what 出生登记 offers when the
# catalog does not.
@pytest.fixture(scope="module")
def offering_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with demo_portal(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def portal_url(offering_portal: tuple[str, str]) -> str:
    return offering_portal[0]


async def item_offers(database: str, item: str) -> list[dict[str, Any]]:
    """What an item offers once approved, as the server's database holds it; the fallback offer written first when
    it offers nothing."""
    if database.startswith("sqlite"):
        with closing(sqlite3.connect(database.removeprefix("sqlite:///"))) as db:
            (stored,) = db.execute("SELECT offers FROM service_item WHERE code = ?", (item,)).fetchone()
            offers = json.loads(stored or "[]")
            if not offers:
                offers = [FALLBACK_OFFER]
                db.execute("UPDATE service_item SET offers = ? WHERE code = ?", (json.dumps(offers), item))
                db.commit()
        return offers
    import asyncpg

    schema = parse_qs(urlsplit(database).query)["schema"][0]
    connection = await asyncpg.connect(database.split("?", 1)[0], server_settings={"search_path": schema})
    try:
        offers = json.loads(await connection.fetchval("SELECT offers::text FROM service_item WHERE code = $1", item)
                            or "[]")
        if not offers:
            offers = [FALLBACK_OFFER]
            await connection.execute("UPDATE service_item SET offers = $1::jsonb WHERE code = $2", json.dumps(offers),
                                     item)
    finally:
        await connection.close()
    return offers


async def apply_for_the_newborn(phone: Page, mother: dict[str, Any]) -> str:
    """The newborn bundle through the phone's form; the application's 受理编号."""
    values = newborn_values(mother)
    await phone.goto("/m/#/bundle/newborn")
    await phone.get_by_role("link", name="开始办理").click()
    for topic, (typed, chosen) in NEWBORN_TOPICS.items():
        await phone.get_by_role("link", name=topic).click()
        await expect(phone.locator("main h1")).to_have_text(topic)
        for group, option in chosen:
            await phone.get_by_role("group", name=group).get_by_label(option, exact=True).check()
        for key in typed:
            await phone.locator(f"#field-{key.replace('.', '-')}").fill(values[key])
        await save(phone)
    await phone.get_by_role("link", name="申请材料").click()
    for name in UPLOADS:
        upload = phone.get_by_label(f"上传“{name}”")
        await upload.set_input_files({"name": f"{name}.png", "mimeType": "image/png", "buffer": PNG})
        await expect(phone.locator(".apply-material", has=upload).locator(".upload-status")).to_have_text(
            f"已上传：{name}.png")
    await save(phone)
    await phone.get_by_role("link", name="检查您的填写").click()
    await phone.get_by_role("button", name="确认并提交申请").click()
    return await confirmation_number(phone)


async def approve_on_the_workbench(browsing: Browsing, base: str, token: str, application_id: str,
                                   item: str) -> None:
    """The item's department approves its task on its workbench (a task its rule decided needs nobody)."""
    task = next(t for t in graphql(base, PROGRESS, {"id": application_id}, token)["application"]["tasks"]
                if t["item"]["code"] == item)
    if task["status"] == "APPROVED":
        return
    assert task["status"] == "SUBMITTED", task
    handler = {"370100-WJW": "handler-wjw", "370100-GAJ": "handler-gaj"}[task["item"]["department"]["code"]]
    desk = await staff_page(browsing, handler)
    await desk.goto(f"/window/#/task/{application_id}/{task['id']}")
    name = task["item"]["name"]
    await desk.get_by_role("button", name="受理", exact=True).click()
    await expect(desk.locator(".desk-status")).to_have_text(f"已受理“{name}”")
    await desk.get_by_role("button", name="办结").click()
    await expect(desk.locator(".desk-status")).to_have_text(f"已办结“{name}”")


# Plausible answers for the fields an offered bundle may still ask, by the last part of their key.
ANSWERS = {"accountNumber": "6222021602001234567", "name": "中国工商银行济南分行", "provider": "济南市历下区阳光托育中心"}


async def fill_what_is_marked(phone: Page) -> None:
    """The prefilled form of an offer: each page marked 需修改 opened and its marked answers given."""
    await phone.locator(".task-list").wait_for()
    while await phone.locator(".task-list__item", has_text="需修改").count():
        step = phone.locator(".task-list__item", has_text="需修改").first
        await step.get_by_role("link").click()
        await expect(phone.locator(".field-error").first).to_be_visible()
        for field in await phone.locator(".field", has=phone.locator(".field-error")).all():
            if await field.locator("input[type=radio]").count():
                await field.locator("input[type=radio]").first.check()
            elif await field.locator("select").count():
                select = field.locator("select")
                await select.select_option(index=1)
            elif await field.locator("input[type=file]").count():
                await field.locator("input[type=file]").set_input_files(
                    {"name": "材料.png", "mimeType": "image/png", "buffer": PNG})
                await expect(field.locator(".upload-status")).to_have_text("已上传：材料.png")
            elif await field.locator("input[type=date]").count():
                await field.locator("input[type=date]").fill("2024-01-01")
            else:
                box = field.locator("input, textarea").first
                key = (await box.get_attribute("id") or "").removeprefix("field-")
                await box.fill(ANSWERS.get(key.rsplit("-", 1)[-1], "济南市历下区泉城路1号"))
        await save(phone)
        await phone.locator(".task-list").wait_for()


async def test_an_offer_made_by_a_birth_registration_is_accepted_with_one_tap(
        browsing: Browsing, offering_portal: tuple[str, str]) -> None:
    base, database = offering_portal
    offered = {offer["bundle"] for offer in await item_offers(database, BIRTH_REGISTRATION_ITEM)}
    mother = register(base, "赵免申")
    phone = await signed_in_page(browsing, PHONE, mother)
    number = await apply_for_the_newborn(phone, mother)
    application = application_of_number(base, mother["token"], number)
    await phone.goto(f"/m/#/application/{application['id']}")
    await expect(phone.locator(".progress-live")).to_have_text("实时更新中")

    for item in (BIRTH_CERTIFICATE_ITEM, BIRTH_REGISTRATION_ITEM):
        await approve_on_the_workbench(browsing, base, mother["token"], application["id"], item)

    # The approval of 出生登记 made the offer: her application page shows it as it happens.
    card = phone.locator(".offer-card").first
    await expect(card).to_be_visible()
    open_offers = graphql(base, OFFERS, token=mother["token"])["me"]["offers"]
    assert open_offers and {offer["bundle"]["code"] for offer in open_offers} <= offered, (open_offers, offered)
    shown = words(await card.inner_text())
    offer = next(o for o in open_offers if o["bundle"]["name"] in shown)
    await assert_accessible(phone)
    await screenshot(phone, "application-offer")
    # The home screen shows it too, from which application.
    await phone.goto("/m/")
    home_card = phone.locator(".offers .offer-card", has_text=offer["bundle"]["name"])
    assert f"来自受理编号为 {number} 的申请" in words(await home_card.inner_text())

    await home_card.get_by_role("button", name="一键申请").click()
    await expect(phone.locator("main h1")).to_have_text(re.compile(f"^(申请已提交|{re.escape(offer['bundle']['name'])})$"))
    if await phone.get_by_role("heading", level=1, name="申请已提交").count() == 0:
        # Something is still missing: the offered bundle's form, prefilled, the missing answers marked.
        await expect(phone.locator(".notice")).to_contain_text("这是为您推荐的服务")
        assert await phone.locator(".task-list__item", has_text="需修改").count() > 0
        await assert_accessible(phone)
        await screenshot(phone, "offer-form")
        await fill_what_is_marked(phone)
        await phone.get_by_role("link", name="检查您的填写").click()
        await phone.get_by_role("button", name="确认并提交申请").click()
    accepted_number = await confirmation_number(phone)

    accepted = application_of_number(base, mother["token"], accepted_number)
    assert accepted["bundle"]["code"] == offer["bundle"]["code"]
    assert offer["id"] not in [o["id"] for o in graphql(base, OFFERS, token=mother["token"])["me"]["offers"]]
    source = graphql(base, APPLICATION, {"id": application["id"]}, mother["token"])["application"]
    assert {"id": offer["id"], "status": "ACCEPTED"} in source["offers"]
    await phone.goto("/m/")
    await expect(phone.locator(".catalog-count")).to_be_visible()
    await expect(phone.locator(".offer-card", has_text=offer["bundle"]["name"])).to_have_count(0)
    assert not browsing.console_errors, browsing.console_errors
