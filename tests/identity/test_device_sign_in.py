"""Device sign-in (RFC 8628): the TV shows a code, the signed-in phone approves or denies, the TV learns it by
polling (paced: SLOW_DOWN) or live, gets its device session once, and the codes lapse after 10 minutes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

from portal.config import Settings
from portal.identity import device_flow
from portal.identity.models import DeviceSignIn, Role
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff
from tests.identity.test_accounts import LOGIN, register
from tests.identity.test_device_sessions import SESSIONS, TV, sign_in
from tests.subscriptions import in_process_subscription

START = """mutation($terminal: Terminal!) { startDeviceSignIn(terminal: $terminal) { __typename
  ... on DeviceSignIn { deviceCode userCode verificationUri expiresAt interval qrSvg }
  ... on FormInvalid { errors { field code message } } ... on RateLimited { code retryAfterSeconds } } }"""
ANSWER = """__typename ... on AuthPayload { token expiresAt account { id displayName } }
  ... on DeviceSignInError { code message interval } ... on NotFound { code }"""
POLL = "mutation($d: String!) { pollDeviceSignIn(deviceCode: $d) { " + ANSWER + " } }"
UPDATED = "subscription($d: String!) { deviceSignInUpdated(deviceCode: $d) { " + ANSWER + " } }"
DECISION = """__typename ... on DeviceSignInRequest { userCode terminal device status createdAt expiresAt
  maskedAddress } ... on FormInvalid { errors { field code message } } ... on PermissionDenied { code }
  ... on Conflict { code } ... on RateLimited { code }"""
REQUEST = "query($u: String!) { deviceSignInRequest(userCode: $u) { " + DECISION + " } }"
APPROVE = "mutation($u: String!) { approveDeviceSignIn(userCode: $u) { " + DECISION + " } }"
DENY = "mutation($u: String!) { denyDeviceSignIn(userCode: $u) { " + DECISION + " } }"


async def start(gql: Any, terminal: str = "TV") -> dict[str, Any]:
    started = (await gql(START, {"terminal": terminal}, headers={"x-portal-terminal": terminal}))
    started = started["data"]["startDeviceSignIn"]
    assert started["__typename"] == "DeviceSignIn", started
    return started


async def poll(gql: Any, device_code: str) -> dict[str, Any]:
    return (await gql(POLL, {"d": device_code}, headers=TV))["data"]["pollDeviceSignIn"]


async def allow_next_poll(device_code: str) -> None:
    """As if the interval had passed since the last poll."""
    request = await DeviceSignIn.get(device_code_hash=device_flow._digest(device_code))
    if request.last_polled_at:
        request.last_polled_at -= timedelta(seconds=request.interval)
        await request.save(update_fields=["last_polled_at"])


async def test_the_tv_shows_a_code_the_phone_approves_and_the_tv_gets_a_device_session_once(gql: Any) -> None:
    citizen = await register(gql, name="王小明")
    started = await start(gql)
    code = started["userCode"]
    assert len(code) == 9 and code[4] == "-"
    assert all(c in device_flow.USER_CODE_ALPHABET for c in code.replace("-", ""))
    assert started["verificationUri"] == f"http://portal.test/m/#/device?code={code}"
    assert started["interval"] == 5 and started["qrSvg"].startswith("<svg")
    expires = datetime.fromisoformat(started["expiresAt"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=9) < expires <= timedelta(minutes=10)
    stored = await DeviceSignIn.get(user_code=code.replace("-", ""))
    assert stored.device_code_hash != started["deviceCode"] and started["deviceCode"] not in str(stored.__dict__)

    assert (await poll(gql, started["deviceCode"]))["code"] == "AUTHORIZATION_PENDING"
    # The phone sees which device asks; the code may be typed in lower case with spaces.
    typed = code.lower().replace("-", " ")
    seen = (await gql(REQUEST, {"u": typed}, token=citizen["token"]))["data"]["deviceSignInRequest"]
    assert seen["terminal"] == "TV" and seen["device"] == "电视" and seen["status"] == "PENDING"
    assert seen["userCode"] == code and "*" in seen["maskedAddress"]
    approved = (await gql(APPROVE, {"u": typed}, token=citizen["token"]))["data"]["approveDeviceSignIn"]
    assert approved["status"] == "APPROVED"
    again = (await gql(DENY, {"u": code}, token=citizen["token"]))["data"]["denyDeviceSignIn"]
    assert again == {"__typename": "Conflict", "code": "ALREADY_DECIDED"}

    await allow_next_poll(started["deviceCode"])
    payload = await poll(gql, started["deviceCode"])
    assert payload["__typename"] == "AuthPayload" and payload["account"]["displayName"] == "王**"
    # The device session is the TV's only: listed on the phone, usable from a TV, revocable.
    sessions = (await gql(SESSIONS, token=citizen["token"]))["data"]["me"]["sessions"]
    tv = [s for s in sessions if s["terminal"] == "TV"]
    assert len(tv) == 1 and tv[0]["device"] == "电视"
    assert (await gql("{ me { account { id } } }", token=payload["token"], headers=TV))["data"]["me"]
    assert (await gql("{ me { account { id } } }", token=payload["token"]))["data"]["me"] is None
    # Handed out once: another poll hears the codes are spent.
    await allow_next_poll(started["deviceCode"])
    assert (await poll(gql, started["deviceCode"]))["code"] == "EXPIRED_TOKEN"
    revoke = "mutation($id: ID!) { revokeSession(id: $id) { __typename } }"
    assert (await gql(revoke, {"id": tv[0]["id"]}, token=citizen["token"]))["data"]["revokeSession"] == {
        "__typename": "Session"}
    assert (await gql("{ me { account { id } } }", token=payload["token"], headers=TV))["data"]["me"] is None


async def test_polling_sooner_than_the_interval_is_told_to_slow_down(gql: Any) -> None:
    started = await start(gql)
    assert (await poll(gql, started["deviceCode"]))["code"] == "AUTHORIZATION_PENDING"
    slow = await poll(gql, started["deviceCode"])
    assert slow["code"] == "SLOW_DOWN" and slow["interval"] == 10
    slower = await poll(gql, started["deviceCode"])
    assert slower["code"] == "SLOW_DOWN" and slower["interval"] == 15
    await allow_next_poll(started["deviceCode"])
    assert await poll(gql, started["deviceCode"]) == {
        "__typename": "DeviceSignInError", "code": "AUTHORIZATION_PENDING", "interval": 15,
        "message": "请用手机扫码或打开链接，确认登录"}
    assert (await poll(gql, "no-such-device-code"))["__typename"] == "NotFound"


async def test_a_denied_request_and_an_expired_one_are_said_plainly(gql: Any) -> None:
    citizen = await register(gql)
    denied = await start(gql)
    result = (await gql(DENY, {"u": denied["userCode"]}, token=citizen["token"]))["data"]["denyDeviceSignIn"]
    assert result["status"] == "DENIED"
    assert (await poll(gql, denied["deviceCode"]))["code"] == "ACCESS_DENIED"

    lapsed = await start(gql)
    await DeviceSignIn.filter(user_code=lapsed["userCode"].replace("-", "")).update(
        expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert (await poll(gql, lapsed["deviceCode"]))["code"] == "EXPIRED_TOKEN"
    late = (await gql(APPROVE, {"u": lapsed["userCode"]}, token=citizen["token"]))["data"]["approveDeviceSignIn"]
    assert late["__typename"] == "FormInvalid" and late["errors"][0]["code"] == "UNKNOWN_USER_CODE"


async def test_only_a_tv_or_a_kiosk_starts_and_only_a_persons_ordinary_session_decides(gql: Any) -> None:
    refused = (await gql(START, {"terminal": "MOBILE"}))["data"]["startDeviceSignIn"]
    assert refused["__typename"] == "FormInvalid" and refused["errors"][0]["field"] == "terminal"
    kiosk = await start(gql, "KIOSK")
    citizen = await register(gql)
    # A TV signed in by password cannot approve another device.
    tv = await sign_in(gql, citizen, TV)
    by_tv = (await gql(APPROVE, {"u": kiosk["userCode"]}, token=tv["token"], headers=TV))["data"]
    assert by_tv["approveDeviceSignIn"] == {"__typename": "PermissionDenied", "code": "DEVICE_SESSION"}
    anonymous = (await gql(APPROVE, {"u": kiosk["userCode"]}))["data"]["approveDeviceSignIn"]
    assert anonymous == {"__typename": "PermissionDenied", "code": "UNAUTHENTICATED"}
    await create_staff(Passwords("test"), username="device-flow-clerk", password="Window-Clerk-2115",
                       role=Role.WINDOW_CLERK, department_code="370100-XZSPJ", region_code="370100", name="李四")
    staff = (await gql(LOGIN, {"username": "device-flow-clerk", "password": "Window-Clerk-2115"}))["data"]["login"]
    by_staff = (await gql(APPROVE, {"u": kiosk["userCode"]}, token=staff["token"]))["data"]["approveDeviceSignIn"]
    assert by_staff == {"__typename": "PermissionDenied", "code": "CITIZENS_ONLY"}
    malformed = (await gql(APPROVE, {"u": "AEIOU-123"}, token=citizen["token"]))["data"]["approveDeviceSignIn"]
    assert malformed["errors"] == [{"field": "userCode", "code": "BAD_USER_CODE",
                                    "message": "登录码应为电视上显示的8个字母，例如 BCDF-GHJK"}]
    approved = (await gql(APPROVE, {"u": kiosk["userCode"]}, token=citizen["token"]))["data"]
    assert approved["approveDeviceSignIn"]["device"] == "自助服务终端"


async def test_starts_are_limited_per_address_and_wrong_codes_per_account(gql: Any) -> None:
    for _ in range(device_flow.START_PER_ADDRESS.max_failures):
        await start(gql)
    limited = (await gql(START, {"terminal": "TV"}, headers=TV))["data"]["startDeviceSignIn"]
    assert limited["__typename"] == "RateLimited"
    citizen = await register(gql)
    wrong = "BBBB-BBBB"
    for _ in range(device_flow.USER_CODE_PER_ACCOUNT.max_failures):
        result = (await gql(APPROVE, {"u": wrong}, token=citizen["token"]))["data"]["approveDeviceSignIn"]
        assert result["__typename"] == "FormInvalid"
    blocked = (await gql(REQUEST, {"u": wrong}, token=citizen["token"]))["data"]["deviceSignInRequest"]
    assert blocked == {"__typename": "RateLimited", "code": "RATE_LIMITED"}


async def test_the_tv_learns_the_outcome_live_and_gets_its_session_once(gql: Any, settings: Settings) -> None:
    citizen = await register(gql)
    started = await start(gql)
    stream = await in_process_subscription(settings, UPDATED, {"d": started["deviceCode"]}, terminal="TV")
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.2)
    assert not first.done()
    await gql(APPROVE, {"u": started["userCode"]}, token=citizen["token"])
    answer = (await asyncio.wait_for(first, 5)).data["deviceSignInUpdated"]
    assert answer["__typename"] == "AuthPayload"
    assert (await gql("{ me { account { id } } }", token=answer["token"], headers=TV))["data"]["me"]
    await allow_next_poll(started["deviceCode"])
    assert (await poll(gql, started["deviceCode"]))["code"] == "EXPIRED_TOKEN"

    denied = await start(gql)
    stream = await in_process_subscription(settings, UPDATED, {"d": denied["deviceCode"]}, terminal="TV")
    waiting = asyncio.ensure_future(anext(stream))
    await gql(DENY, {"u": denied["userCode"]}, token=citizen["token"])
    assert (await asyncio.wait_for(waiting, 5)).data["deviceSignInUpdated"]["code"] == "ACCESS_DENIED"

    lapsing = await start(gql)
    await DeviceSignIn.filter(user_code=lapsing["userCode"].replace("-", "")).update(
        expires_at=datetime.now(timezone.utc) + timedelta(seconds=0.5))
    stream = await in_process_subscription(settings, UPDATED, {"d": lapsing["deviceCode"]}, terminal="TV")
    assert (await asyncio.wait_for(anext(stream), 5)).data["deviceSignInUpdated"]["code"] == "EXPIRED_TOKEN"
