"""The self-service kiosk (自助端) at ``/kiosk/<hallCode>``, in a portrait kiosk (1080×1920) and a landscape one
(1920×1080).

张伟 shows his 鲁通码 to the scanner (a burst of keys ending in Enter) and is signed in, his name masked; he takes a
ticket, which the window clerk's queue of the hall counts at once, and the slip prints. At 结束办理 his session is
revoked on the server and the kiosk keeps nothing. 李梅 signs in with the on-screen keys, applies for the social
security card bundle one question per screen, loses the network at the moment she sends it (every answer stays,
and sending again files one application), and her receipt prints. 王芳 leaves without finishing: after a minute
without a touch (a countdown in the last ten seconds, which a touch extends) the kiosk wipes the screen, the storage
and her session, and the back button shows nothing of her. A person typing slowly into the ID field is not taken
for a scanner. Every main screen passes axe, its touch targets are measured, and it is saved as a screenshot.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, Browsing, assert_accessible, graphql, screenshot, sign_in, words

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
HALL = "JNSMZX"
HALL_NAME = "济南市民中心政务服务大厅"
COUNTER = "JNSMZX-07"  # serves 户籍证件 (HJZJ, letter D) only
CLERK = "window-jinan"
ZHANG_WEI = "13805310002"
LI_MEI_ID_NUMBER = "370102198803120523"
WANG_FANG = "13805320003"
CODE = "{ myLuTongCode { payload } }"  # valid in every scene, as the phone shows it by default
ME_AT_KIOSK = "{ me { account { displayName } } }"
MIN_TARGET = 48
# Everything a finger can touch on a kiosk screen (a radio is touched through its whole row).
TARGETS = "main button, main a, main input:not([type=radio]), main select, main .choice, header button"


def code_of(base: str, username: str) -> str:
    return graphql(base, CODE, token=sign_in(base, username))["myLuTongCode"]["payload"]


async def scan(page: Page, code: str) -> None:
    """A keyboard-wedge scanner: the code's characters and Enter as one burst of key events, wherever focus is."""
    await page.evaluate("""(code) => {
      for (const key of [...code, "Enter"]) {
        const target = document.activeElement ?? document.body;
        target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
      }
    }""", code)


async def check_screen(page: Page, name: str, *, axe: bool = True) -> None:
    """axe, no sideways scroll, every touch target at least 48 px each way, and a screenshot. (axe waits on the
    page's timers: not while the test holds the page's clock.)"""
    if axe:
        await assert_accessible(page)
    width = await page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"
    small = await page.evaluate("""([selector, min]) => [...document.querySelectorAll(selector)]
      .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
      .map((el) => ({ el: el.outerHTML.slice(0, 80), box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width < min || box.height < min)
      .map(({ el, box }) => `${el} ${Math.round(box.width)}x${Math.round(box.height)}`)""", [TARGETS, MIN_TARGET])
    assert not small, f"{name}: touch targets under {MIN_TARGET} px: {small}"
    await screenshot(page, f"kiosk-{name}")


async def kiosk_storage(page: Page) -> dict[str, Any]:
    return await page.evaluate("""async () => ({
      local: Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])),
      session: Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)])),
      caches: await caches.keys(),
    })""")


async def kiosk_token(page: Page) -> str:
    return json.loads(await page.evaluate("localStorage.getItem('portal.session.kiosk')"))["token"]


def refused(base: str, token: str) -> bool:
    """Whether the API refuses the token from the kiosk (a revoked session is anonymous: `me` is null)."""
    import httpx

    response = httpx.post(f"{base}/graphql", json={"query": ME_AT_KIOSK},
                          headers={"authorization": f"Bearer {token}", "x-portal-terminal": "KIOSK"}, timeout=30)
    return response.json()["data"]["me"] is None


async def clerk_queue_waiting(page: Page, category: str) -> int:
    row = page.locator(".desk-table tbody tr", has=page.get_by_role("rowheader", name=category))
    return int(await row.locator("td").first.inner_text())


async def test_a_scan_signs_in_a_ticket_joins_the_window_queue_and_finish_wipes(browsing: Browsing) -> None:
    base = browsing.base_url
    clerk = await browsing.page({"width": 1280, "height": 800})
    clerk_login = graphql(base, """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p})
      { ... on AuthPayload { token expiresAt account { id kind displayName } } } }""", {"u": CLERK, "p": DEMO_PASSWORD})
    await clerk.add_init_script(f"localStorage.setItem('portal.session.window', {json.dumps(json.dumps(clerk_login['login']))})")
    await clerk.goto(f"/window/#/counter/{COUNTER}")
    await expect(clerk.get_by_role("heading", level=1)).to_have_text(f"{COUNTER} 窗口")
    await expect(clerk.locator(".desk-table tbody tr").first).to_be_visible()
    before = await clerk_queue_waiting(clerk, "D 户籍证件 本窗口")

    page = await browsing.page(PORTRAIT)
    await page.goto(f"/kiosk/{HALL}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    await expect(page.locator("#hall-name")).to_have_text(HALL_NAME)
    await expect(page.locator(".kiosk-queue li").first).to_be_visible()
    await expect(page.locator(".kiosk-grid .kiosk-tile").first).to_be_visible()
    # The hall's kiosks start in elder mode.
    assert await page.evaluate("document.documentElement.dataset.mode") == "elder"
    # Its switch says so, and says the other mode once pressed (touched: no pointer left hovering).
    elder = page.get_by_role("switch")
    await expect(elder).to_have_text("长辈模式：开")
    await elder.press("Enter")
    await expect(elder).to_have_text("长辈模式：关")
    assert await page.evaluate("document.documentElement.dataset.mode") is None
    await elder.press("Enter")
    await expect(elder).to_have_text("长辈模式：开")
    await check_screen(page, "start")

    await scan(page, code_of(base, ZHANG_WEI))
    await expect(page.get_by_role("heading", level=1)).to_have_text("您好，张*")
    assert "张伟" not in await page.locator("body").inner_text()
    await check_screen(page, "home")
    token = await kiosk_token(page)
    assert not refused(base, token)

    await page.get_by_role("button", name="取号排队").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("取号")
    await check_screen(page, "ticket")
    await page.get_by_role("button", name="D · 户籍证件").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("排队号")
    number = words(await page.locator(".slip__number").inner_text()).removeprefix("您的号码").strip()
    assert number.startswith("D")
    await expect(page.locator(".slip__ahead")).to_have_text(f"{before} 人")
    await expect(page.locator(".slip")).to_contain_text(HALL_NAME)
    await check_screen(page, "slip")
    await page.emulate_media(media="print")
    assert not await page.get_by_role("button", name="打印").is_visible()
    assert not await page.locator(".site-header").is_visible()
    await screenshot(page, "kiosk-slip-print")
    assert (await page.pdf())[:5] == b"%PDF-"
    await page.emulate_media(media="screen")

    # The window clerk's queue of the hall counts the ticket.
    await clerk.reload()
    await expect(clerk.locator(".desk-table tbody tr").first).to_be_visible()
    assert await clerk_queue_waiting(clerk, "D 户籍证件 本窗口") == before + 1

    # 结束办理: the session is revoked, nothing is kept, the start screen is back.
    await page.get_by_role("button", name="结束办理").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    await expect(page.get_by_role("button", name="结束办理")).to_have_count(0)
    stored = await kiosk_storage(page)
    assert "portal.session.kiosk" not in stored["local"] and not stored["session"] and not stored["caches"], stored
    assert refused(base, token)
    assert not browsing.console_errors, browsing.console_errors


async def test_keypad_sign_in_apply_through_a_network_drop_and_print_the_receipt(browsing: Browsing) -> None:
    base = browsing.base_url
    page = await browsing.page(LANDSCAPE)
    await page.goto(f"/kiosk/{HALL}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    await check_screen(page, "start")
    await page.get_by_role("button", name="社会保障卡居民服务一件事").click()
    # Choosing a bundle signs in first: the ID number on the kiosk's number keys, the password on its letter board.
    await expect(page.get_by_role("heading", level=1)).to_have_text("用身份证号码登录")
    await check_screen(page, "signin")
    keys = page.get_by_role("group", name="输入到：身份证号码")
    for digit in LI_MEI_ID_NUMBER:
        await keys.get_by_role("button", name=digit, exact=True).click()
    await expect(page.locator("#field-username")).to_have_value(LI_MEI_ID_NUMBER)
    await page.locator("#field-password").click()
    letters = page.get_by_role("group", name="输入到：密码")
    await expect(letters).to_be_visible()
    await check_screen(page, "signin-letters")
    for character in DEMO_PASSWORD:
        shifted = character.isupper()
        if shifted:
            await letters.get_by_role("button", name="⇧ 大写").click()
        await letters.get_by_role("button", name=character, exact=True).click()
        if shifted:
            await letters.get_by_role("button", name="⇧ 大写").click()
    assert await page.locator("#field-password").input_value() == DEMO_PASSWORD
    await page.get_by_role("button", name="登录", exact=True).click()

    # One question per screen; what her profile and licences answer is shown masked, not asked.
    await expect(page.get_by_role("heading", level=1)).to_have_text("社会保障卡居民服务一件事")
    await expect(page.locator(".kiosk-step")).to_contain_text("第 1 步")
    known = await page.locator("main .summary-list").inner_text()
    assert "李*" in known and LI_MEI_ID_NUMBER not in known and "13805310001" not in known
    await check_screen(page, "apply-known")
    await page.get_by_role("button", name="下一步").click()
    steps = 0
    while await page.locator(".kiosk-step").count() and steps < 20:
        steps += 1
        step = await page.locator(".kiosk-step").inner_text()
        if await page.get_by_role("heading", name="请核对").count():
            break
        if await page.locator("main input[type=file]").count():
            for upload in await page.locator("main input[type=file]").all():
                await upload.set_input_files({"name": "照片.png", "mimeType": "image/png",
                                              "buffer": b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes})
            await expect(page.locator(".upload-status").first).to_contain_text("已上传")
        elif await page.locator("main select").count():
            await page.locator("main select").select_option(index=1)
        elif await page.locator("main .choice").count():
            await page.locator("main .choice label").first.click()
        elif await page.locator("main input[type=text]").count():
            await page.locator("main input[type=text]").fill("济南市历下区泉城路1号")
        if steps == 2:
            await check_screen(page, "apply-question")
        await page.get_by_role("button", name="下一步").click()
        await expect(page.locator(".kiosk-step")).not_to_have_text(step)
    await expect(page.get_by_role("heading", name="请核对")).to_be_visible()
    await check_screen(page, "apply-check")

    # The network drops as she sends: a notice, every answer kept; sending again files one application.
    async def drop(route: Any) -> None:
        await route.abort("internetdisconnected")
    await page.route("**/graphql", drop)
    await page.get_by_role("button", name="确认提交").click()
    await expect(page.locator(".error-summary")).to_contain_text("都还在")
    await expect(page.get_by_role("heading", name="请核对")).to_be_visible()
    await page.unroute("**/graphql", drop)
    dropped = [e for e in browsing.console_errors if "ERR_INTERNET_DISCONNECTED" in e]
    assert dropped, "the dropped request was not sent"
    browsing.console_errors[:] = [e for e in browsing.console_errors if e not in dropped]
    await page.get_by_role("button", name="确认提交").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("受理回执")
    number = words(await page.locator(".receipt__number").inner_text()).removeprefix("受理编号").strip()
    await expect(page.locator(".receipt")).to_contain_text("社会保障卡居民服务一件事")
    await expect(page.locator(".receipt")).to_contain_text("李*")
    await expect(page.locator(".receipt ol li").first).to_contain_text("个工作日内")
    await check_screen(page, "receipt")
    await page.emulate_media(media="print")
    assert not await page.get_by_role("button", name="打印").is_visible()
    await screenshot(page, "kiosk-receipt-print")
    assert (await page.pdf())[:5] == b"%PDF-"
    await page.emulate_media(media="screen")

    li_mei = sign_in(base, LI_MEI_ID_NUMBER)
    mine = graphql(base, "{ me { applications(first: 20) { edges { node { number channel bundle { code } } } } } }",
                   token=li_mei)["me"]["applications"]["edges"]
    filed = [e["node"] for e in mine if e["node"]["bundle"]["code"] == "social-security-card-services"]
    assert [a["number"] for a in filed] == [number] and filed[0]["channel"] == "KIOSK"

    # Her progress, then finish.
    await page.get_by_role("button", name="返回").click()
    await page.get_by_role("button", name="查看办件进度").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")
    await expect(page.locator(".kiosk-application").first).to_contain_text("社会保障卡居民服务一件事")
    await expect(page.locator(".kiosk-application").first).to_contain_text(f"受理编号 {number}")
    await check_screen(page, "progress")
    await page.get_by_role("button", name="结束办理").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    assert not browsing.console_errors, browsing.console_errors


async def test_idle_kiosk_wipes_everything_and_back_shows_nothing(browsing: Browsing) -> None:
    base = browsing.base_url
    page = await browsing.page(PORTRAIT)
    await page.clock.install()
    await page.goto(f"/kiosk/{HALL}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    await scan(page, code_of(base, WANG_FANG))
    await expect(page.get_by_role("heading", level=1)).to_have_text("您好，王*")
    await page.get_by_role("button", name="查看办件进度").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")
    token = await kiosk_token(page)
    # From here the page's time moves only when the test says (a second ahead: never in the page's past).
    await page.clock.pause_at((await page.evaluate("Date.now()") + 1000) / 1000)  # seconds

    # The countdown shows in the last ten seconds; a touch extends.
    await page.clock.run_for(51_000)
    dialog = page.get_by_role("alertdialog", name="还在办理吗？")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(re.compile(r"\b[1-9] 秒后"))
    await check_screen(page, "idle-countdown", axe=False)
    # A touch on the screen (the mouse, not a locator's click: that waits for animation frames the held clock holds).
    stay = await page.get_by_role("button", name="继续办理").bounding_box()
    assert stay is not None
    await page.mouse.click(stay["x"] + stay["width"] / 2, stay["y"] + stay["height"] / 2)
    await expect(dialog).to_have_count(0)
    await page.clock.run_for(30_000)
    await expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")

    # A minute without a touch: the screen, the storage and the session are gone.
    await page.clock.run_for(61_000)
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    stored = await kiosk_storage(page)
    assert "portal.session.kiosk" not in stored["local"] and not stored["session"], stored
    assert "王" not in json.dumps(stored, ensure_ascii=False)
    assert refused(base, token)
    # The browser's back button leads to nothing of hers.
    await page.go_back()
    await page.wait_for_load_state()
    text = await page.locator("body").inner_text()
    assert "王*" not in text and "我的办件" not in text and "您好" not in text
    assert not browsing.console_errors, browsing.console_errors


async def test_a_person_typing_slowly_is_no_scanner(browsing: Browsing) -> None:
    page = await browsing.page(LANDSCAPE)
    await page.goto(f"/kiosk/{HALL}")
    await page.get_by_role("button", name="登录办理业务").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("用身份证号码登录")
    # The classifier: 20+ characters beginning LTM1., each within 35 ms, ended by Enter.
    verdicts = await page.evaluate("""async () => {
      const { isScan } = await import("/kiosk/scanner.js");
      const keys = (text, gap) => [...text].map((key, n) => ({ key, at: n * gap }));
      const code = "LTM1.eyJoIjoxLCJzIjoiR09WIn0.abc";
      return {
        burst: isScan(keys(code, 5), code.length * 5),
        slow: isScan(keys(code, 120), code.length * 120),
        oneSlowGap: isScan([...keys(code, 5).slice(0, 10), ...keys(code, 5).slice(10).map((k) => ({ ...k, at: k.at + 200 }))],
          code.length * 5 + 200),
        lateEnter: isScan(keys(code, 5), code.length * 5 + 500),
        short: isScan(keys("LTM1.abc", 5), 40),
        otherPrefix: isScan(keys("370102198803120523XX", 5), 100),
      };
    }""")
    assert verdicts == {"burst": True, "slow": False, "oneSlowGap": False, "lateEnter": False, "short": False,
                        "otherPrefix": False}
    # A person types the same characters slowly into the focused ID field: they land there, nobody is signed in.
    field = page.locator("#field-username")
    await field.focus()
    typed = "LTM1.370102198803120523"
    await page.keyboard.type(typed, delay=90)
    await expect(field).to_have_value(typed[:18])
    await page.keyboard.press("Enter")
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_have_text("用身份证号码登录")
    assert await page.evaluate("localStorage.getItem('portal.session.kiosk')") is None
    # A scan's characters never land in the focused field.
    await field.fill("")
    await field.focus()
    await scan(page, code_of(browsing.base_url, ZHANG_WEI))
    await expect(page.get_by_role("heading", level=1)).to_have_text("您好，张*")
    await page.get_by_role("button", name="结束办理").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")


async def test_the_kiosk_lists_halls_once_and_refuses_an_unknown_hall(browsing: Browsing) -> None:
    page = await browsing.page(LANDSCAPE)
    await page.goto("/kiosk/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("请选择本终端所在的政务服务大厅")
    await check_screen(page, "halls")
    await page.get_by_role("link", name=HALL_NAME).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("欢迎使用自助服务")
    assert page.url.endswith(f"/kiosk/{HALL}#start")
    await page.goto("/kiosk/NO-SUCH-HALL")
    await expect(page.get_by_role("heading", level=1)).to_have_text("没有找到这个政务服务大厅。请联系大厅工作人员。")
    response = await page.request.get(f"/kiosk/{HALL}")
    assert response.headers["cache-control"] == "no-store"
