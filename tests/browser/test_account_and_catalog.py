"""Sign up, sign in and the catalog in the mobile client: a citizen and an enterprise register through the
form (errors next to their fields, nothing typed is lost), sign out and in again; the bundle list pages,
searches and filters; the newborn bundle's page shows its items, departments and promised days, and for a
citizen holding e-licences which materials they already provide."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, expect

from tests.browser.conftest import (DEMO_PASSWORD, DESKTOP, PHONE, Browsing, assert_accessible, graphql, screenshot,
                                    words)
from tests.helpers import new_credit_code, new_id_number, new_phone

PASSWORD = "Quancheng-2115!"
BUNDLE_NAMES = """query($audience: Audience, $search: String) {
  bundles(audience: $audience, search: $search, first: 100) { totalCount edges { node { name } } }
}"""
# A search finds single items (单事项) as well as bundles, ranked together.
FOUND = """query($search: String!, $audience: Audience) {
  bundles(search: $search, audience: $audience, first: 10) { totalCount edges { node { name singleItem } } }
}"""
CHANNEL_NAMES = {"TV": "电视", "DESKTOP": "电脑网页", "MOBILE": "手机", "WINDOW": "大厅窗口", "KIOSK": "自助终端"}

# 新生儿出生一件事 (portal/catalog/data/bundles.yaml): (step heading, [(item, department, promised days, start)]).
NEWBORN_STEPS = [
    ("第 1 步（2 项同时办理）", [
        ("出生医学证明首次签发", "济南市卫生健康委员会", "3 个工作日", "提交申请后立即开始"),
        ("预防接种证办理（新生儿建证）", "山东省卫生健康委员会", "即时办结", "提交申请后立即开始"),
    ]),
    ("第 2 步", [
        ("出生登记（新生儿落户）", "济南市公安局", "1 个工作日", "等“出生医学证明首次签发”办结后开始"),
    ]),
    ("第 3 步（2 项同时办理）", [
        ("新生儿城乡居民基本医疗保险参保登记", "山东省医疗保障局", "即时办结", "等“出生登记（新生儿落户）”办结后开始"),
        ("新生儿社会保障卡申领", "山东省人力资源和社会保障厅", "5 个工作日", "等“出生登记（新生儿落户）”办结后开始"),
    ]),
]


async def field_error(page: Page, key: str) -> str:
    """The error shown inside the field of canonical key `key` (it sits between the hint and the input)."""
    field = page.locator(".field", has=page.locator(f"#field-{key}"))
    return words(await field.locator(".field-error").inner_text())


async def card_names(page: Page) -> list[str]:
    return [words(name) for name in await page.locator(".bundle-card h2").all_inner_texts()]


async def step_list(page: Page) -> list[tuple[str, list[tuple[str, ...]]]]:
    steps = []
    for step in await page.locator(".bundle-steps > li").all():
        items = []
        for item in await step.locator(".bundle-item").all():
            items.append((words(await item.locator("h4").inner_text()),
                          *[words(text) for text in await item.locator("dd").all_inner_texts()],
                          words(await item.locator(".bundle-item__start").inner_text())))
        steps.append((words(await step.locator("h3").inner_text()), items))
    return steps


async def materials(page: Page) -> dict[str, str]:
    """Each material's name and how it is provided (its status line)."""
    entries = {}
    for entry in await page.locator(".material").all():
        entries[words(await entry.locator(".material__name").inner_text())] = words(
            await entry.locator(".material__status").inner_text())
    return entries


async def test_a_citizen_registers_signs_out_and_signs_in_again_by_phone(browsing: Browsing) -> None:
    page = await browsing.page(PHONE)
    await page.goto("/m/#/signup")
    await expect(page.locator("main h1")).to_have_text("注册")
    await expect(page.locator("#signup-kind-citizen")).to_be_checked()
    await assert_accessible(page)
    await screenshot(page, "signup")

    id_number, phone = new_id_number(), new_phone()
    wrong_check = id_number[:-1] + ("1" if id_number[-1] == "0" else "0")
    await page.fill("#field-name", "赵小满")
    await page.fill("#field-idNumber", wrong_check)
    await page.fill("#field-phone", phone)
    await page.fill("#field-password", "Short-1")
    await page.click("main button[type=submit]")

    summary = page.locator(".error-summary")
    await expect(summary).to_be_focused()
    assert [words(text) for text in await summary.locator("li").all_inner_texts()] == [
        "身份证号码校验位不正确，请核对后重新输入", "密码至少需要10个字符"]
    assert await field_error(page, "idNumber") == "身份证号码校验位不正确，请核对后重新输入"
    assert await field_error(page, "password") == "密码至少需要10个字符"
    assert await page.locator(".field-error").count() == 2
    await expect(page.locator("#field-idNumber")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#field-idNumber")).to_have_attribute("aria-describedby",
                                                                    "field-idNumber-hint error-field-idNumber")
    assert [await page.input_value(f"#field-{key}") for key in ("name", "idNumber", "phone", "password")] == [
        "赵小满", wrong_check, phone, "Short-1"]
    await screenshot(page, "signup-errors")

    show = page.get_by_role("button", name="显示密码")
    await show.click()
    await expect(page.locator("#field-password")).to_have_attribute("type", "text")
    await expect(page.get_by_role("button", name="隐藏密码")).to_be_visible()

    await page.fill("#field-idNumber", id_number)
    await page.fill("#field-password", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page.locator(".site-nav__name")).to_have_text("赵小满")
    await expect(page.locator("main h1")).to_have_text("高效办成一件事")
    assert page.url.endswith("/m/#/")

    await page.get_by_role("button", name="退出登录").click()
    await expect(page.locator(".site-nav__name")).to_have_count(0)
    await page.locator("#site-nav").get_by_role("link", name="登录").click()
    await expect(page.locator("main h1")).to_have_text("登录")
    await assert_accessible(page)
    await screenshot(page, "signin")

    await page.fill("#field-username", phone)
    await page.fill("#field-password", "Wrong-Password-1")
    await page.click("main button[type=submit]")
    await expect(page.locator(".error-summary")).to_have_text("操作没有成功 账号或密码错误", use_inner_text=True)
    assert await page.input_value("#field-username") == phone
    await page.fill("#field-password", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page.locator(".site-nav__name")).to_have_text("赵小满")
    assert page.url.endswith("/m/#/")


async def test_an_enterprise_registers_and_sees_the_enterprise_bundles_first(browsing: Browsing,
                                                                              portal_url: str) -> None:
    page = await browsing.page(DESKTOP)
    await page.goto("/m/#/signup")
    await page.get_by_label("企业", exact=True).check()
    await expect(page.locator("label[for=field-name]")).to_have_text("企业名称")
    await expect(page.locator("#field-idNumber")).to_be_hidden()
    await expect(page.locator("#field-creditCode")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "signup")

    await page.fill("#field-name", "济南小满科技有限公司")
    await page.fill("#field-creditCode", new_credit_code())
    await page.fill("#field-legalRepresentativeIdNumber", new_id_number())
    await page.fill("#field-phone", new_phone())
    await page.fill("#field-password", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page.locator(".site-nav__name")).to_have_text("济南小满科技有限公司")
    await expect(page.locator("#site-nav").get_by_role("link", name="诉求专区")).to_be_visible()

    # An enterprise's catalog opens on the bundles for enterprises.
    expected = graphql(portal_url, BUNDLE_NAMES, {"audience": "ENTERPRISE"})["bundles"]
    await expect(page.locator(".audience-filter [aria-current=true]")).to_have_text("企业办事")
    await expect(page.locator(".catalog-count")).to_have_text(f"共 {expected['totalCount']} 件事")
    assert await card_names(page) == [edge["node"]["name"] for edge in expected["edges"]][:10]
    assert set(await page.locator(".bundle-card__tags .tag:first-child").all_inner_texts()) <= {"企业办事", "个人和企业"}

    await page.locator(".audience-filter").get_by_role("link", name="全部").click()
    everything = graphql(portal_url, BUNDLE_NAMES)["bundles"]
    await expect(page.locator(".catalog-count")).to_have_text(f"共 {everything['totalCount']} 件事")
    assert "audience=all" in page.url


async def test_the_catalog_pages_searches_and_filters(browsing: Browsing, portal_url: str) -> None:
    everything = graphql(portal_url, BUNDLE_NAMES)["bundles"]
    names = [edge["node"]["name"] for edge in everything["edges"]]
    assert everything["totalCount"] > 10  # enough for a second page

    for viewport in (DESKTOP, PHONE):
        page = await browsing.page(viewport)
        await page.goto("/m/")
        await expect(page.locator(".catalog-count")).to_have_text(f"共 {everything['totalCount']} 件事")
        assert await card_names(page) == names[:10]
        newborn = page.locator(".bundle-card", has_text="新生儿出生一件事")
        assert words(await newborn.inner_text()) == (
            "新生儿出生一件事 宝宝出生后，一次申请即可办理出生医学证明、预防接种证、户口登记（上户口）、医保参保和社会保障卡申领。"
            " 承诺 9 个工作日办结 含 5 个事项 个人办事 国家重点事项")
        await assert_accessible(page)
        await screenshot(page, "bundles")

    more = page.get_by_role("button", name="加载更多")
    await more.click()
    await expect(page.locator(".bundle-card")).to_have_count(20)
    await expect(page.locator(".bundle-card").nth(10).locator("h2 a")).to_be_focused()
    for shown in range(20, everything["totalCount"], 10):  # ten more a click, the focus on the first of them
        await more.click()
        await expect(page.locator(".bundle-card")).to_have_count(min(shown + 10, everything["totalCount"]))
        await expect(page.locator(".bundle-card").nth(shown).locator("h2 a")).to_be_focused()
    assert await card_names(page) == names
    await expect(more).to_have_count(0)

    # A search finds the bundle and the single items (单事项) its words name, ranked together.
    found = graphql(portal_url, FOUND, {"search": "上户口"})["bundles"]
    assert "新生儿出生一件事" in [edge["node"]["name"] for edge in found["edges"]]
    await page.get_by_label("搜索一件事").fill("上户口")
    await page.keyboard.press("Enter")
    await expect(page.locator(".catalog-count")).to_have_text(f"“上户口”找到 {found['totalCount']} 件事")
    assert await card_names(page) == [edge["node"]["name"] for edge in found["edges"]]
    singles = [edge["node"]["name"] for edge in found["edges"] if edge["node"]["singleItem"]]
    assert await page.locator(".bundle-card--single h2").all_inner_texts() == singles
    assert page.url.endswith(f"#/?q={quote('上户口')}")
    await page.reload()
    await expect(page.locator(".catalog-count")).to_have_text(f"“上户口”找到 {found['totalCount']} 件事")
    assert await page.input_value("#catalog-search") == "上户口"

    # The filter keeps the search; a name match ranks first.
    found = graphql(portal_url, FOUND, {"search": "户口"})["bundles"]
    await page.get_by_label("搜索一件事").fill("户口")
    await page.get_by_role("button", name="搜索").click()
    await expect(page.locator(".catalog-count")).to_have_text(f"“户口”找到 {found['totalCount']} 件事")
    assert await card_names(page) == [edge["node"]["name"] for edge in found["edges"]]
    assert "户口" in (await card_names(page))[0]
    await page.locator(".audience-filter").get_by_role("link", name="企业办事").click()
    await expect(page.locator(".catalog-count")).to_have_text("“户口”找到 0 件事")
    await expect(page.locator(".catalog-more")).to_have_text("没有找到相关的一件事。请检查用词，或换一个更常用的说法。")
    await page.get_by_role("link", name="清除搜索").click()
    # Wait for the new page (the filter link read 企业办事 before the click too), then check it.
    await expect(page.locator("#catalog-search")).to_have_value("")
    await expect(page.locator(".catalog-count")).not_to_contain_text("户口")
    await expect(page.locator(".audience-filter [aria-current=true]")).to_have_text("企业办事")


async def test_the_newborn_bundle_page_and_the_materials_e_licences_provide(browsing: Browsing,
                                                                           portal_url: str) -> None:
    channels = graphql(portal_url, "{ bundle(code: \"newborn\") { channels } }")["bundle"]["channels"]
    page = await browsing.page(PHONE)
    await page.goto("/m/#/bundle/newborn")
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    assert await step_list(page) == [(heading, [tuple(item) for item in items]) for heading, items in NEWBORN_STEPS]
    facts = page.locator(".bundle-facts dd")
    # No kiosk: the hospital's birth record (医学出生记录) is paper, and a kiosk takes no upload.
    assert [words(text) for text in await facts.all_inner_texts()] == [
        "9 个工作日 没有先后关系的事项同时办理", "5 个部门", "个人办事", "、".join(CHANNEL_NAMES[c] for c in channels)]
    await expect(page.get_by_role("link", name="开始办理")).to_have_attribute("href", "#/apply/newborn")
    assert await materials(page) == {
        "医学出生记录": "需要上传",
        "居民身份证": "需要上传 可用电子证照“居民身份证”代替，登录后自动核对",
        "结婚证（如有）": "需要上传 可用电子证照“结婚证”代替，登录后自动核对",
        "新生儿乙肝疫苗和卡介苗首剂接种记录": "需要上传",
        "出生医学证明": "办理中自动取得 由“出生医学证明首次签发”办结后自动提供，无需上传",
        # 出生登记 issues the updated register, but needs the parents' one to start with.
        "居民户口簿": "需要上传 可用电子证照“居民户口簿”代替，登录后自动核对",
    }
    await assert_accessible(page)
    await screenshot(page, "bundle")

    # 李梅 holds her ID card, household register and marriage certificate as e-licences.
    page = await browsing.page(DESKTOP)
    await page.goto("/m/#/signin?next=/bundle/newborn")
    await assert_accessible(page)
    await screenshot(page, "signin")
    await page.fill("#field-username", "13805310001")
    await page.fill("#field-password", DEMO_PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page.locator("main h1")).to_have_text("新生儿出生一件事")
    assert page.url.endswith("/m/#/bundle/newborn")
    await expect(page.locator(".site-nav__name")).to_have_text("李梅")
    found = await materials(page)
    assert {name: status.split(" ")[0] for name, status in found.items()} == {
        "医学出生记录": "需要上传",
        "居民身份证": "已由电子证照自动提供",
        "结婚证（如有）": "已由电子证照自动提供",
        "新生儿乙肝疫苗和卡介苗首剂接种记录": "需要上传",
        "出生医学证明": "办理中自动取得",
        "居民户口簿": "已由电子证照自动提供",
    }
    assert found["居民身份证"] == "已由电子证照自动提供 居民身份证（3701**********0523）"
    assert words(await page.locator("#bundle-materials + p").inner_text()) == (
        "6 份材料中，3 份已由您的电子证照自动提供，1 份在办理中自动取得，2 份需要上传。")
    assert words(await page.locator("#bundle-form + p").inner_text()) == (
        "各事项需要的信息合并为一张表，共 15 项，每项只填一次。其中 6 项已根据您的实名信息和电子证照预先填好。")
    await assert_accessible(page)
    await screenshot(page, "bundle")
    assert browsing.console_errors == []
