"""Signing a TV or a kiosk in from a phone, without typing (OAuth 2.0 device authorisation, RFC 8628).

The device starts a request and shows the user code (XXXX-XXXX) and a QR code of the verification URL; a person
signed in the ordinary way on their phone opens it, sees which device asks, and approves or denies. The device
learns the outcome by polling (``poll``: AUTHORIZATION_PENDING, SLOW_DOWN when it polls sooner than the interval,
which then grows by 5 s, RFC 8628 §3.5) or live (``watch``, woken through the event broker). An approved device
is handed a device session once (then EXPIRED_TOKEN, as after the 10 minutes); a denied one hears ACCESS_DENIED.

No GraphQL here. Expected failures are raised as the exceptions of ``portal.problems``; the answers a waiting
device gets are ``DeviceAnswer``.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from tortoise.transactions import in_transaction

from portal import events
from portal.audit.rules import Actor, record
from portal.terminals import Terminal
from portal.identity import ratelimit
from portal.identity.errors import IdentityCode
from portal.identity.models import AccountKind, DeviceSignIn, DeviceSignInStatus
from portal.identity.principal import Principal
from portal.identity.rules import DEVICE_NAMES, DEVICE_TERMINALS, SignedIn, open_session, require_full_session
from portal.problems import Code, Conflicting, Forbidden, InvalidField, Missing, checked_code

LIFETIME = timedelta(minutes=10)
INTERVAL = 5  # seconds between polls (RFC 8628 §3.2 default)
SLOW_DOWN_STEP = 5  # seconds added to the interval on each poll that came too soon (§3.5)
# RFC 8628 §6.1: 20 consonants (no vowels, so no words; no 0/O, 1/I), 8 of them: 20^8 ≈ 2.6e10 codes.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
DEVICE_CODE_BYTES = 32
VERIFICATION_PATH = "/m/#/device"
# A device's sign-in requests, per address: a TV starts one every 10 minutes while nobody answers.
START_PER_ADDRESS = ratelimit.Limit("device-start-address", 30, timedelta(hours=1), timedelta(minutes=15))
# Wrong user codes typed or opened on a phone, per account: 8 guesses at 1 in 2.6e10 each tell nothing.
USER_CODE_PER_ACCOUNT = ratelimit.Limit("device-code-account", 8, timedelta(minutes=15), timedelta(minutes=15))
DECIDED = "device.decided"


class DeviceAnswer(Exception):
    """What a waiting device hears instead of a session: ``code`` is AUTHORIZATION_PENDING, SLOW_DOWN,
    EXPIRED_TOKEN or ACCESS_DENIED; ``interval`` the seconds it should now wait between polls."""

    def __init__(self, code: IdentityCode, message: str, interval: int) -> None:
        super().__init__(checked_code(code), message, interval)
        self.code, self.message, self.interval = code, message, interval


def pending(interval: int) -> DeviceAnswer:
    return DeviceAnswer(IdentityCode.AUTHORIZATION_PENDING, "请用手机扫码或打开链接，确认登录", interval)


def expired(interval: int) -> DeviceAnswer:
    return DeviceAnswer(IdentityCode.EXPIRED_TOKEN, "登录码已过期或已使用，请重新获取", interval)


def denied(interval: int) -> DeviceAnswer:
    return DeviceAnswer(IdentityCode.ACCESS_DENIED, "已在手机上拒绝此次登录", interval)


@dataclass(frozen=True)
class DeviceDecided:
    """What a request's stream (``device-sign-in:<id>``) says once the phone decided: only that it did, and how.
    A waiting device reads its answer from the row, so the event only wakes it."""

    status: DeviceSignInStatus

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value}


@dataclass(frozen=True)
class Started:
    device_code: str
    user_code: str  # as shown: XXXX-XXXX
    verification_uri: str  # with the code: what the QR code holds
    expires_at: datetime
    interval: int


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _digest(device_code: str) -> str:
    return hashlib.sha256(device_code.encode()).hexdigest()


def shown(user_code: str) -> str:
    """A stored user code as people read it: BCDF-GHJK."""
    return f"{user_code[:4]}-{user_code[4:]}"


def normalise_user_code(value: object, field: str = "userCode") -> str:
    """The user code a person typed or a link carried: case, hyphens and spaces do not matter."""
    text = value if isinstance(value, str) else ""
    code = "".join(c for c in text[:40].upper() if c not in "- \u3000")
    if len(code) != USER_CODE_LENGTH or any(c not in USER_CODE_ALPHABET for c in code):
        raise InvalidField(field, IdentityCode.BAD_USER_CODE, "登录码应为电视上显示的8个字母，例如 BCDF-GHJK")
    return code


def stream_of(request: DeviceSignIn) -> str:
    return f"device-sign-in:{request.id}"


async def start(actor: Actor, terminal: Terminal, origin: str) -> Started:
    """A device (TV or kiosk) asks to be signed in; limited per address."""
    if terminal not in DEVICE_TERMINALS:
        raise InvalidField("terminal", IdentityCode.NOT_A_DEVICE, "只有电视和自助终端可以扫码登录")
    await ratelimit.spend(START_PER_ADDRESS, actor.address)
    device_code = secrets.token_urlsafe(DEVICE_CODE_BYTES)
    now = _now()
    while True:  # a user code names one live request
        user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))
        if not await DeviceSignIn.exists(user_code=user_code, expires_at__gt=now):
            break
    async with in_transaction():
        request = await DeviceSignIn.create(device_code_hash=_digest(device_code), user_code=user_code,
                                            terminal=terminal, address=actor.address[:64],
                                            expires_at=now + LIFETIME, interval=INTERVAL)
        await record("device.sign_in_started", actor, target=f"device-sign-in:{request.id}",
                     detail={"terminal": terminal.value})
    return Started(device_code, shown(user_code), f"{origin.rstrip('/')}{VERIFICATION_PATH}?code={shown(user_code)}",
                   request.expires_at, INTERVAL)


async def _by_device_code(device_code: str) -> DeviceSignIn:
    request = (await DeviceSignIn.get_or_none(device_code_hash=_digest(device_code))
               if isinstance(device_code, str) and 0 < len(device_code) <= 200 else None)
    if request is None:
        raise Missing(Code.NOT_FOUND, "未找到该登录请求，请重新获取登录码")
    return request


async def _answer(request_id: int, actor: Actor, *, paced: bool) -> SignedIn:
    """The device's session if the phone approved (handed out once), else the ``DeviceAnswer`` it hears now.
    ``paced``: a poll, which must keep to the interval while the request waits (the pace is saved, so the
    answer is raised after the commit)."""
    async with in_transaction():
        outcome = await _settle(request_id, actor, paced=paced)
    if isinstance(outcome, DeviceAnswer):
        raise outcome
    return outcome


async def _settle(request_id: int, actor: Actor, *, paced: bool) -> SignedIn | DeviceAnswer:
    request = await DeviceSignIn.filter(id=request_id).select_for_update().first()
    assert request is not None
    now = _now()
    if request.status is DeviceSignInStatus.REDEEMED or (
            request.expires_at <= now and request.status is not DeviceSignInStatus.DENIED):
        return expired(request.interval)
    if request.status is DeviceSignInStatus.DENIED:
        return denied(request.interval)
    if request.status is DeviceSignInStatus.PENDING:
        if not paced:
            return pending(request.interval)
        too_soon = (request.last_polled_at is not None
                    and now - request.last_polled_at < timedelta(seconds=request.interval))
        request.last_polled_at = now
        if too_soon:
            request.interval += SLOW_DOWN_STEP
        await request.save(update_fields=["last_polled_at", "interval"])
        if too_soon:
            return DeviceAnswer(IdentityCode.SLOW_DOWN, f"查询过于频繁，请每{request.interval}秒查询一次", request.interval)
        return pending(request.interval)
    # Approved: the request is spent (once, whoever asks at the same moment) and the session made now, on the
    # device's own address.
    if not await DeviceSignIn.filter(id=request.id, status=DeviceSignInStatus.APPROVED).update(
            status=DeviceSignInStatus.REDEEMED):
        return expired(request.interval)
    await request.fetch_related("account")
    return await open_session(request.account, actor, terminal=request.terminal,
                              device=DEVICE_NAMES[request.terminal], how="device")


async def poll(actor: Actor, device_code: str) -> SignedIn:
    """The device asks how its request stands (RFC 8628 §3.4/§3.5)."""
    request = await _by_device_code(device_code)
    return await _answer(request.id, actor, paced=True)


async def watch(actor: Actor, device_code: str) -> AsyncIterator[SignedIn | DeviceAnswer]:
    """The outcome of a request, live: the session or ACCESS_DENIED when the phone decides, EXPIRED_TOKEN when
    the codes lapse (or were already spent). One answer, then the stream ends."""
    request = await _by_device_code(device_code)
    async with aclosing(events.follow(stream_of(request), 0)) as decisions:
        while True:
            try:
                yield await _answer(request.id, actor, paced=False)
                return
            except DeviceAnswer as answer:
                if answer.code != IdentityCode.AUTHORIZATION_PENDING:
                    yield answer
                    return
            left = (request.expires_at - _now()).total_seconds()
            try:
                await asyncio.wait_for(anext(decisions), timeout=max(left, 0) + 0.05)
            except TimeoutError:
                yield expired(request.interval)
                return


def _may_decide(principal: Principal) -> None:
    require_full_session(principal)
    if principal.kind not in (AccountKind.CITIZEN, AccountKind.ENTERPRISE):
        raise Forbidden(IdentityCode.CITIZENS_ONLY, "请用个人或企业账号在手机上确认电视登录")


async def _live_request(principal: Principal, user_code: object) -> DeviceSignIn:
    """The waiting request a person names by its user code; a wrong code counts against their account."""
    _may_decide(principal)
    code = normalise_user_code(user_code)
    key = f"account:{principal.account_id}"
    await ratelimit.ensure_allowed(USER_CODE_PER_ACCOUNT, key)
    request = await DeviceSignIn.filter(user_code=code, expires_at__gt=_now()).order_by("-id").first()
    if request is None:
        await ratelimit.count_attempt(USER_CODE_PER_ACCOUNT, key)
        raise InvalidField("userCode", IdentityCode.UNKNOWN_USER_CODE, "登录码不正确或已过期，请核对电视上显示的登录码")
    return request


async def request_of(principal: Principal, user_code: object) -> DeviceSignIn:
    """What the phone shows before the person decides: which device asks, from where, when, until when."""
    return await _live_request(principal, user_code)


async def _decide(principal: Principal, actor: Actor, user_code: object, status: DeviceSignInStatus
                  ) -> DeviceSignIn:
    request = await _live_request(principal, user_code)
    async with in_transaction():
        changed = await DeviceSignIn.filter(id=request.id, status=DeviceSignInStatus.PENDING,
                                            expires_at__gt=_now()).update(
            status=status, account_id=principal.account_id, decided_at=_now())
        if not changed:
            raise Conflicting(IdentityCode.ALREADY_DECIDED, "这个登录码已确认或已拒绝，请在电视上重新获取")
        event = await events.append(stream_of(request), 1, DECIDED, DeviceDecided(status))
        await record("device.approved" if status is DeviceSignInStatus.APPROVED else "device.denied", actor,
                     subject_account_id=principal.account_id, target=f"device-sign-in:{request.id}",
                     detail={"terminal": request.terminal.value})
    await events.publish([event])
    return await DeviceSignIn.get(id=request.id)


async def approve(principal: Principal, actor: Actor, user_code: object) -> DeviceSignIn:
    """The person signs the device in: it gets a device session of their account (limited to its terminal)."""
    return await _decide(principal, actor, user_code, DeviceSignInStatus.APPROVED)


async def deny(principal: Principal, actor: Actor, user_code: object) -> DeviceSignIn:
    """The person refuses: the device hears ACCESS_DENIED."""
    return await _decide(principal, actor, user_code, DeviceSignInStatus.DENIED)
