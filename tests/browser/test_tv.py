"""The TV terminal (/tv/) in headless chromium at 1920×1080, driven by the remote's keys only (arrows, Enter for OK,
Escape for Back): sign-in by a phone's approval (approved, denied, expired), an application's progress live, every
screen walked with the arrow keys, and the hall screen's calls live across a server restart."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import (PHONE, Browsing, assert_accessible, client_address, graphql, screenshot,
                                    sign_in, words)
from tests.browser.test_apply_and_follow import ACCEPT, APPROVE, BIRTH_CERTIFICATE_ITEM, PASSWORD as CITIZEN_PASSWORD
from tests.browser.test_apply_and_follow import act, apply_by_api, register, task_of
from tests.helpers import free_port, start_portal, stop

TV = {"width": 1920, "height": 1080}
FOCUSABLE = "a[href], button:not([disabled]), [tabindex='0']"
START = """mutation { startDeviceSignIn(terminal: TV) { __typename ... on DeviceSignIn { deviceCode userCode } } }"""
POLL = """mutation($d: String!) { pollDeviceSignIn(deviceCode: $d) { __typename
  ... on DeviceSignInError { code interval } } }"""
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  ... on AuthPayload { token expiresAt account { id kind displayName } } } }"""
TAKE = """mutation($hall: String!, $category: String!, $key: String!) {
  takeTicket(hallCode: $hall, category: $category, idempotencyKey: $key) { __typename ... on Ticket { id number } }
}"""
CALL_NEXT = """mutation($counter: String!) { callNextTicket(counterCode: $counter) { __typename
  ... on Ticket { id number } ... on UserError { message } } }"""
HALL, CATEGORY, COUNTER = "JNSMZX", "SBYB", "JNSMZX-05"  # 社保医保 (letter C) at counter 5
CLERK = "window-jinan"
FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
  return parseFloat(s.outlineWidth) >= 4 && s.outlineStyle !== 'none'; }"""


async def artefact(page: Page, name: str) -> None:
    """The screen passes the axe checks, and its screenshot is kept for a reviewer."""
    await assert_accessible(page)
    await screenshot(page, name)


async def press(page: Page, *keys: str) -> None:
    for key in keys:
        await page.keyboard.press(key)


async def focus_on(page: Page, text: str) -> None:
    """Wait until the focused control reads ``text`` (the screen drew and gave it the focus)."""
    await page.wait_for_function("(text) => (document.activeElement?.innerText ?? '').replace(/\\s+/g, ' ')"
                                 ".trim().includes(text)", arg=text)


async def key_to(page: Page, key: str, text: str) -> None:
    """Press a key of the remote, then wait until the focus is on the control reading ``text``."""
    await press(page, key)
    await focus_on(page, text)


async def tv_code(page: Page) -> str:
    """Open the sign-in screen from the home screen with OK and read the code it shows."""
    await page.goto("/tv/")
    await focus_on(page, "扫码登录")
    await press(page, "Enter")
    code = page.locator("#user-code")
    await code.wait_for()
    return words(await code.inner_text())


async def phone_decides(browsing: Browsing, code: str, citizen: dict[str, Any], button: str) -> Page:
    """A phone opens the QR code's link, signs in on the way, sees the TV asking and presses ``button``."""
    phone = await browsing.page(PHONE)
    await phone.goto(f"/m/#/device?code={code}")
    await phone.fill("#field-username", citizen["idNumber"])
    await phone.fill("#field-password", CITIZEN_PASSWORD)
    await phone.click("main button[type=submit]")
    await expect(phone.locator(".device-code")).to_have_text(code)
    assert "设备 电视" in words(await phone.inner_text(".device-request"))
    if button:
        await phone.click(f"#{button}")
    return phone


async def test_the_tv_signs_in_by_a_phones_approval_and_shows_an_approval_live(browsing: Browsing,
                                                                               portal_url: str) -> None:
    citizen = register(portal_url, "钱晓燕")
    application = apply_by_api(portal_url, citizen)
    tv = await browsing.page(TV)
    code = await tv_code(tv)
    assert len(code) == 9 and code[4] == "-"
    qr = tv.get_by_role("img", name="登录二维码")
    assert await qr.evaluate("image => image.complete && image.naturalWidth > 0")
    assert f"/m/#/device?code={code}" in await tv.inner_text("main")
    await artefact(tv, "tv-signin")

    phone = await phone_decides(browsing, code, citizen, "")
    await artefact(phone, "device-approve")
    await phone.click("#approve-device")
    await expect(phone.get_by_role("status").filter(has_text="已确认")).to_be_visible()

    # The TV hears it live and signs in, masked; the phone lists it among the sessions.
    await expect(tv.locator("#tv-account")).to_have_text("钱**，您好")
    await focus_on(tv, "我的办件")
    await artefact(tv, "tv-home")
    await phone.goto("/m/#/account")
    await expect(phone.locator(".session-list")).to_contain_text("电视")
    await artefact(phone, "account-sessions")

    await key_to(tv, "Enter", "新生儿出生一件事")
    await screenshot(tv, "tv-applications")
    await press(tv, "Enter")
    await expect(tv.locator("#tasks")).to_contain_text("出生医学证明")
    await expect(tv.locator(".tv-live")).to_have_text("实时更新中")
    assert "*" in await tv.inner_text("#application-status")
    number = graphql(portal_url, "query($id: ID!) { application(id: $id) { number } }", {"id": application},
                     citizen["token"])["application"]["number"]
    await expect(tv.locator("#application-status")).to_contain_text(f"受理编号 {number}")

    handler = sign_in(portal_url, "handler-wjw")
    task = task_of(portal_url, application, citizen["token"], BIRTH_CERTIFICATE_ITEM)
    version = act(portal_url, handler, ACCEPT, id=task["id"], v=task["version"])
    act(portal_url, handler, APPROVE, id=task["id"], v=version)
    row = tv.locator(f"#task-{task['id']}")
    await expect(row).to_contain_text("已办结")
    await expect(tv.locator("#application-news")).to_contain_text("已办结")
    await artefact(tv, "tv-application")

    # Back (Escape) goes up a screen at a time; signing out of the TV from the phone ends its session.
    await key_to(tv, "Escape", "新生儿出生一件事")
    await key_to(tv, "Escape", "我的办件")
    await phone.get_by_role("button", name="让“电视”退出登录").click()
    await expect(phone.get_by_role("status")).to_have_text("“电视”已退出登录")
    # The TV's next request finds its session ended: it is signed out and offers the sign-in again.
    await press(tv, "Enter")
    await expect(tv.locator("#tv-account")).to_have_text("")


async def test_denial_and_expiry_are_said_plainly_and_a_new_code_is_one_key_away(browsing: Browsing,
                                                                                 portal_url: str) -> None:
    citizen = register(portal_url, "孙立新")
    tv = await browsing.page(TV)
    code = await tv_code(tv)
    phone = await phone_decides(browsing, code, citizen, "deny-device")
    await expect(phone.get_by_role("status").filter(has_text="已拒绝")).to_be_visible()
    await expect(tv.get_by_role("alert")).to_have_text("已在手机上拒绝这次登录。")
    await focus_on(tv, "重新获取登录码")
    await artefact(tv, "tv-signin-denied")

    # A new code with OK; left unanswered it lapses after 10 minutes (the page's clock run on).
    await tv.clock.install()
    await press(tv, "Enter")
    fresh = tv.locator("#user-code")
    await fresh.wait_for()
    assert words(await fresh.inner_text()) != code
    await tv.clock.fast_forward("10:01")
    await expect(tv.get_by_role("alert")).to_have_text("登录码已过期，请重新获取。")
    await focus_on(tv, "重新获取登录码")
    await screenshot(tv, "tv-signin-expired")


def test_polling_faster_than_the_interval_is_told_to_slow_down(portal_url: str) -> None:
    started = graphql(portal_url, START)["startDeviceSignIn"]
    first = graphql(portal_url, POLL, {"d": started["deviceCode"]})["pollDeviceSignIn"]
    assert first == {"__typename": "DeviceSignInError", "code": "AUTHORIZATION_PENDING", "interval": 5}
    second = graphql(portal_url, POLL, {"d": started["deviceCode"]})["pollDeviceSignIn"]
    assert second == {"__typename": "DeviceSignInError", "code": "SLOW_DOWN", "interval": 10}


WALK = """(selector) => {
  const visible = (e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
  const all = [...document.querySelectorAll(selector)].filter(visible);
  all.forEach((e, i) => { e.dataset.walk = String(i); });
  return all.length;
}"""


async def walk(page: Page, name: str) -> None:
    """Every control of the screen is reached from the one the screen focused with the arrow keys, the focus is
    never lost (always on a control, with a ring of at least 4 px), and no arrow leads out of the screen's
    controls. The focus is left where the screen put it."""
    count = await page.evaluate(WALK, FOCUSABLE)
    assert count > 0, name
    start = await page.evaluate("() => document.activeElement?.dataset.walk ?? null")
    assert start is not None, f"{name}: nothing focused"
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"):
            await page.focus(f"[data-walk='{node}']")
            await page.keyboard.press(key)
            after = await page.evaluate("() => document.activeElement?.dataset.walk ?? null")
            assert after is not None, f"{name}: {key} from control {node} lost the focus"
            assert await page.evaluate(FOCUS_RING), f"{name}: no visible focus ring on control {after}"
            if after not in seen:
                seen.add(after)
                todo.append(after)
    assert len(seen) == count, f"{name}: only {len(seen)} of {count} controls reachable with the arrows"
    await page.focus(f"[data-walk='{start}']")  # back where the screen put the focus


async def test_every_screen_is_walked_with_the_arrow_keys(browsing: Browsing, portal_url: str) -> None:
    citizen = register(portal_url, "周子衡")
    apply_by_api(portal_url, citizen)
    tv = await browsing.page(TV)
    await tv.goto("/tv/")
    await focus_on(tv, "扫码登录")
    await walk(tv, "home signed out")
    await key_to(tv, "ArrowRight", "在家办事")
    await key_to(tv, "Enter", "全部")
    await walk(tv, "catalog")
    # The words are the TV bundles' keywords; picking one searches with it.
    await press(tv, "ArrowRight", "Enter")
    await expect(tv.locator(".tv-chip[aria-pressed=true]")).to_have_count(1)
    picked = words(await tv.inner_text(".tv-chip[aria-pressed=true]"))
    assert picked != "全部"
    cards = [words(text) for text in await tv.locator(".tv-card__title").all_inner_texts()]
    # A picked word searches: bundles and single items (单事项) offered on the TV.
    on_tv = graphql(portal_url, "{ bundles(terminal: TV, first: 100, singleItems: true) { edges { node { name } } } }"
                    )["bundles"]
    assert cards and set(cards) <= {edge["node"]["name"] for edge in on_tv["edges"]}
    await artefact(tv, "tv-catalog")
    await tv.focus(".tv-card")
    await press(tv, "Enter")
    await expect(tv.locator("main h1")).to_have_text(cards[0])
    await walk(tv, "bundle")
    await artefact(tv, "tv-bundle")
    await key_to(tv, "Escape", "全部")
    await key_to(tv, "Escape", "扫码登录")
    await press(tv, "Enter")
    await tv.locator("#user-code").wait_for()
    await walk(tv, "sign-in")

    # Signed in: the home, my applications and one application.
    code = words(await tv.inner_text("#user-code"))
    await phone_decides(browsing, code, citizen, "approve-device")
    await focus_on(tv, "我的办件")
    await walk(tv, "home signed in")
    await key_to(tv, "Enter", "新生儿出生一件事")
    await walk(tv, "applications")
    await press(tv, "Enter")
    await expect(tv.locator("#tasks")).to_contain_text("出生医学证明")
    await walk(tv, "application")


def take_and_call(base: str, clerk: str) -> str:
    """A ticket taken at the kiosk and called at counter 5; its number."""
    graphql(base, TAKE, {"hall": HALL, "category": CATEGORY, "key": str(uuid.uuid4())})
    called = graphql(base, CALL_NEXT, {"counter": COUNTER}, token=clerk)["callNextTicket"]
    assert called["__typename"] == "Ticket", called
    return called["number"]


async def test_the_hall_screen_shows_calls_live_and_recovers_after_a_restart(browsing: Browsing,
                                                                             tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    env = {"PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"), "PORTAL_TRUSTED_PROXIES": "127.0.0.1"}
    port = free_port()
    server, base = start_portal(database, "--demo", env=env, startup_seconds=120, port=port)
    try:
        page = await browsing.page(TV)
        await page.goto(f"{base}/tv/hall/{HALL}")
        live = page.locator("#hall-live")
        await expect(live).to_have_attribute("data-state", "live")
        await expect(page.locator("#hall-queue")).to_contain_text("C 社保医保")
        clerk = sign_in(base, CLERK)
        number = take_and_call(base, clerk)
        called_at = time.monotonic()
        await expect(page.locator("#hall-now")).to_have_text(f"请 {number} 号到 5 号窗口", timeout=1000)
        assert time.monotonic() - called_at < 1.0
        await expect(page.locator("#hall-recent li")).to_have_count(1)
        assert await page.evaluate("() => document.activeElement?.id") == "speech-switch"
        await assert_accessible(page)
        await screenshot(page, "tv-hall")

        stop(server)
        await expect(live).not_to_have_attribute("data-state", "live")
        server, base = start_portal(database, env=env, startup_seconds=120, port=port)
        await expect(live).to_have_attribute("data-state", "live", timeout=45_000)
        clerk = sign_in(base, CLERK)
        following = take_and_call(base, clerk)
        await expect(page.locator("#hall-now")).to_have_text(f"请 {following} 号到 5 号窗口", timeout=5000)
        # The call before the restart is listed once, as an earlier call, never again as news.
        recent = [words(text) for text in await page.locator("#hall-recent li").all_inner_texts()]
        assert [line.split(" ")[0] for line in recent] == [following, number]
        await screenshot(page, "tv-hall-after-restart")
    finally:
        stop(server)


async def tv_signed_in(browsing: Browsing, base: str, citizen: dict[str, Any]) -> Page:
    """A TV page holding a TV session of the citizen (a password typed on a TV gives one, as the phone's approval
    does), as session.js keeps it."""
    headers = {"x-portal-terminal": "TV", "x-forwarded-for": client_address()}
    body = httpx.post(f"{base}/graphql", timeout=30, headers=headers, json={"query": LOGIN, "variables": {
        "u": citizen["idNumber"], "p": CITIZEN_PASSWORD}}).json()
    payload = body["data"]["login"]
    page = await browsing.page(TV)
    session = json.dumps({key: payload[key] for key in ("token", "expiresAt", "account")})
    await page.add_init_script(f"localStorage.setItem('portal.session.tv', {json.dumps(session)})")
    return page


async def test_an_appointment_is_booked_with_the_remote(browsing: Browsing, portal_url: str) -> None:
    citizen = register(portal_url, "吴春燕")
    tv = await tv_signed_in(browsing, portal_url, citizen)
    await tv.goto("/tv/")
    await focus_on(tv, "我的办件")
    await press(tv, "ArrowRight", "ArrowRight")
    await key_to(tv, "Enter", "济南市民中心政务服务大厅")
    await walk(tv, "appointment halls")
    await key_to(tv, "Enter", "企业开办")
    await walk(tv, "appointment categories")
    await press(tv, "ArrowRight", "ArrowRight")
    await key_to(tv, "Enter", "/")  # the first working day's chip, then the times
    assert words(await tv.inner_text("main h1")) == "济南市民中心政务服务大厅 · 社保医保"
    times = await tv.locator(".tv-chips--grid button").all_inner_texts()
    assert times[0] == "09:00" and times[-1] == "16:45" and len(times) == 32  # 15-minute slots, 9:00–17:00
    await walk(tv, "appointment times")
    await artefact(tv, "tv-appointment")
    await tv.focus(".tv-chips--grid button")
    await key_to(tv, "Enter", "爱山东 在家办")
    booked = words(await tv.inner_text("#appointment-booked"))
    assert booked.startswith("济南市民中心政务服务大厅 社保医保，") and booked.endswith("09:00")
    await key_to(tv, "Enter", "我的办件")
