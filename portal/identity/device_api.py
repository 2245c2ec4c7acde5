"""Device sign-in (RFC 8628 shape): the TV or kiosk starts and waits, the signed-in phone approves or denies.
Thin: ``identity.device_flow`` decides, this file shapes."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import segno
import strawberry
from strawberry.types import Info

from portal.api.errors import (Conflict, FormInvalid, NotFound, PermissionDenied, RateLimited, UserError,
                               error_value, expected_failures_as_values, signed_in as signed_in_principal)
from portal.identity import device_flow, masking
from portal.identity.api import AuthPayload, auth_payload
from portal.identity.models import DeviceSignIn as DeviceSignInRow
from portal.identity.models import DeviceSignInStatus
from portal.identity.rules import DEVICE_NAMES
from portal.problems import EXPECTED
from portal.terminals import Terminal

strawberry.enum(DeviceSignInStatus)


@strawberry.type(description="A device's sign-in request (RFC 8628 §3.2): show `userCode` (XXXX-XXXX) and `qrSvg` "
                             "(the QR code of `verificationUri`) and keep `deviceCode` secret; wait with "
                             "`deviceSignInUpdated(deviceCode)` or poll `pollDeviceSignIn` every `interval` seconds.")
class DeviceSignIn:
    device_code: str
    user_code: str
    verification_uri: str = strawberry.field(description="The phone's approval page with the code in it.")
    expires_at: datetime
    interval: int = strawberry.field(description="Seconds between polls.")
    qr_svg: str = strawberry.field(description="`verificationUri` as an inline SVG QR code.")


@strawberry.type(description="A device is still waiting, or will never be signed in by this request: `code` is "
                             "AUTHORIZATION_PENDING, SLOW_DOWN (poll less often: every `interval` seconds), "
                             "EXPIRED_TOKEN (start again) or ACCESS_DENIED.")
class DeviceSignInError(UserError):
    interval: int


@strawberry.type(description="What the phone shows before approving: which device asks, from where, until when.")
class DeviceSignInRequest:
    user_code: str
    terminal: Terminal
    device: str = strawberry.field(description="The device as people read it (电视, 自助服务终端).")
    status: DeviceSignInStatus
    created_at: datetime
    expires_at: datetime
    masked_address: str

    @classmethod
    def of(cls, row: DeviceSignInRow) -> DeviceSignInRequest:
        return cls(user_code=device_flow.shown(row.user_code), terminal=row.terminal,
                   device=DEVICE_NAMES[row.terminal], status=row.status, created_at=row.created_at,
                   expires_at=row.expires_at, masked_address=masking.address(row.address))


StartDeviceSignInResult = Annotated[DeviceSignIn | FormInvalid | RateLimited,
                                    strawberry.union("StartDeviceSignInResult")]
DeviceSignInResult = Annotated[AuthPayload | DeviceSignInError | NotFound, strawberry.union("DeviceSignInResult")]
DeviceSignInRequestResult = Annotated[DeviceSignInRequest | FormInvalid | PermissionDenied | Conflict | RateLimited,
                                      strawberry.union("DeviceSignInRequestResult")]


def _answer(info: Info, result: device_flow.SignedIn | device_flow.DeviceAnswer) -> DeviceSignInResult:
    if isinstance(result, device_flow.DeviceAnswer):
        return DeviceSignInError(code=result.code, message=result.message, interval=result.interval)
    return auth_payload(info, result)


def _origin(info: Info) -> str:
    url = info.context.request.url
    return f"{'https' if url.scheme in ('https', 'wss') else 'http'}://{url.netloc}"


@strawberry.type
class DeviceSignInQuery:
    @strawberry.field(description="The device waiting for the code the person read on it (for the phone, before "
                                  "approving). A wrong code counts against the account's attempts.")
    @expected_failures_as_values
    async def device_sign_in_request(self, info: Info, user_code: str) -> DeviceSignInRequestResult:
        return DeviceSignInRequest.of(await device_flow.request_of(await signed_in_principal(info), user_code))


@strawberry.type
class DeviceSignInMutation:
    @strawberry.mutation(description="A TV or a kiosk asks to be signed in by a phone (limited per address).")
    @expected_failures_as_values
    async def start_device_sign_in(self, info: Info, terminal: Terminal) -> StartDeviceSignInResult:
        started = await device_flow.start(await info.context.actor(), terminal, _origin(info))
        return DeviceSignIn(device_code=started.device_code, user_code=started.user_code,
                            verification_uri=started.verification_uri, expires_at=started.expires_at,
                            interval=started.interval,
                            qr_svg=segno.make(started.verification_uri, error="m").svg_inline(scale=6))

    @strawberry.mutation(description="The device asks how its request stands: its session once approved (handed "
                                     "out once), else AUTHORIZATION_PENDING, SLOW_DOWN, EXPIRED_TOKEN or "
                                     "ACCESS_DENIED.")
    @expected_failures_as_values
    async def poll_device_sign_in(self, info: Info, device_code: str) -> DeviceSignInResult:
        try:
            return _answer(info, await device_flow.poll(await info.context.actor(), device_code))
        except device_flow.DeviceAnswer as answer:
            return _answer(info, answer)

    @strawberry.mutation(description="The signed-in phone (an ordinary session) signs the waiting device in.")
    @expected_failures_as_values
    async def approve_device_sign_in(self, info: Info, user_code: str) -> DeviceSignInRequestResult:
        return DeviceSignInRequest.of(await device_flow.approve(
            await signed_in_principal(info), await info.context.actor(), user_code))

    @strawberry.mutation(description="The signed-in phone refuses the waiting device.")
    @expected_failures_as_values
    async def deny_device_sign_in(self, info: Info, user_code: str) -> DeviceSignInRequestResult:
        return DeviceSignInRequest.of(await device_flow.deny(
            await signed_in_principal(info), await info.context.actor(), user_code))


@strawberry.type
class DeviceSignInSubscription:
    @strawberry.subscription(description="The outcome of a device's request, live: its session (once) or "
                                         "ACCESS_DENIED when the phone decides, EXPIRED_TOKEN when the codes lapse; "
                                         "one answer, then the stream ends.")
    async def device_sign_in_updated(self, info: Info, device_code: str) -> AsyncGenerator[DeviceSignInResult, None]:
        try:
            stream = device_flow.watch(await info.context.actor(), device_code)
            async for result in stream:
                yield _answer(info, result)
        except EXPECTED as problem:
            yield error_value(problem)
