"""One 鲁通码 in every scene, three browsers side by side.

李梅's phone shows one code, valid in every scene. The hotel desk of 济南舜耕山庄 (LODGING) and 山东省立医院
(MEDICAL_HEALTH) each scan a fresh code of hers at their window terminal — the payload shown on her phone each
time, as a desk types it when its scanner cannot read the screen — and each sees only what its scene may: the
hotel her ID card and hotel membership, the hospital her social security card and her health and hospital codes.
A code the hotel already scanned is refused at the hospital; a code she restricts to the hotel is refused there too.
"""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, Browsing, assert_accessible, graphql, screenshot, words
from tests.browser.test_lutong_and_appeals import log_in, signed_in_page
from tests.browser.test_window import check_screen, staff_page

LI_MEI = "13805310001"
HOTEL = "hotel-shungeng"
HOSPITAL = "hospital-slyy"
CERTIFICATES = "{ me { certificates { type name number } } }"
EVERY_SCENE = "鲁通码二维码（所有场景通用），请出示给扫码方"


async def shown_payload(phone: Page, previous: str | None = None) -> str:
    """The code's content as the phone shows it under "显示码的内容": a fresh one when `previous` is given."""
    text = phone.locator(".lutong-code__payload")
    if previous is not None:
        await phone.get_by_role("button", name="立即刷新").click()
        await expect(text).not_to_have_text(previous)
    payload = await text.inner_text()
    assert payload.startswith("LTM1."), payload
    return payload


async def scan_at(desk: Page, payload: str) -> None:
    await desk.fill("#field-payload", payload)
    await desk.keyboard.press("Enter")


async def shown_list(desk: Page, css: str) -> list[str]:
    return [words(text) for text in await desk.locator(css).locator("li").all_inner_texts()]


async def test_one_code_scanned_at_a_hotel_and_a_hospital_shows_each_its_own(browsing: Browsing,
                                                                            portal_url: str) -> None:
    li_mei = log_in(portal_url, LI_MEI)
    held = {c["type"]: c for c in graphql(portal_url, CERTIFICATES, token=li_mei["token"])["me"]["certificates"]}
    phone = await signed_in_page(browsing, PHONE, li_mei)
    hotel = await staff_page(browsing, HOTEL)
    hospital = await staff_page(browsing, HOSPITAL)

    await phone.goto("/m/#/lutong")
    await phone.get_by_role("img", name=EVERY_SCENE).wait_for()
    await expect(phone.get_by_label("使用场景")).to_have_value("")
    await expect(phone.locator(".lutong-code__scope")).to_have_text("所有场景通用")
    await phone.get_by_text("扫不出来？显示码的内容").click()
    first = await shown_payload(phone)
    await assert_accessible(phone)
    await screenshot(phone, "lutong-every-scene")

    # A scene operator's workbench opens on its scan screen, naming its scene.
    await hotel.goto("/window/")
    await expect(hotel.get_by_role("heading", level=1)).to_have_text("扫码核验")
    await expect(hotel.locator("main .lead")).to_contain_text("本终端的扫码场景是“酒店住宿”")
    assert await hotel.evaluate("document.activeElement.id") == "field-payload"
    await hospital.goto("/window/#/scan")
    await expect(hospital.locator("main .lead")).to_contain_text("本终端的扫码场景是“医疗健康”")

    await scan_at(hotel, first)
    await expect(hotel.get_by_role("heading", name="持码人")).to_be_visible()
    assert words(await hotel.locator(".summary-list").inner_text()) == "姓名 李* 身份证号 370102********0523"
    assert await shown_list(hotel, ".certificate-list") == [
        f"居民身份证 {held['RESIDENT_ID_CARD']['number']}"]
    assert await shown_list(hotel, ".legacy-code-list") == ["酒店会员码 SGSZ********1287"]
    await check_screen(hotel, "scene-scan-lodging")

    # The code the hotel scanned is spent, in every scene.
    await scan_at(hospital, first)
    await expect(hospital.locator(".error-summary")).to_contain_text("该鲁通码已被扫描过，请持码人刷新后重新出示")

    # The phone's code rotates; the hospital scans the fresh one and sees what a hospital may.
    second = await shown_payload(phone, previous=first)
    await scan_at(hospital, second)
    await expect(hospital.get_by_role("heading", name="持码人")).to_be_visible()
    assert await shown_list(hospital, ".certificate-list") == [
        f"社会保障卡 {held['SOCIAL_SECURITY_CARD']['number']}"]
    assert await shown_list(hospital, ".legacy-code-list") == [
        "健康码 JK-3**********0523", "医保电子凭证 YB37************5-23", "医院就诊卡 SLYY**********0523"]
    assert "SGSZ" not in await hospital.locator("main").inner_text()
    await check_screen(hospital, "scene-scan-medical")

    # Restricted to the hotel, her code is refused at the hospital.
    await phone.get_by_label("使用场景").select_option(label="仅限酒店住宿")
    await phone.get_by_role("img", name="鲁通码二维码（仅限酒店住宿场景使用），请出示给扫码方").wait_for()
    await expect(phone.locator(".lutong-code__scope")).to_have_text("仅限酒店住宿场景使用")
    restricted = await shown_payload(phone)
    assert restricted not in (first, second)
    await scan_at(hospital, restricted)
    await expect(hospital.locator(".error-summary")).to_contain_text("这是“酒店住宿”场景的鲁通码，不能用于“医疗健康”")
    await scan_at(hotel, restricted)
    await expect(hotel.locator("#field-payload")).to_have_value("")
    await expect(hotel.locator(".error-summary")).to_have_count(0)

    # Her access log names both places.
    await phone.reload()
    log = phone.locator(".access-log > li")
    await log.first.wait_for()
    assert [words(t).split(" ", 2)[2] for t in (await log.all_inner_texts())[:3]] == [
        "扫描鲁通码（酒店住宿） 济南舜耕山庄 通过窗口端", "扫描鲁通码（医疗健康） 山东省立医院 通过窗口端",
        "扫描鲁通码（酒店住宿） 济南舜耕山庄 通过窗口端"]
    assert browsing.console_errors == []
