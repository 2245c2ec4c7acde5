"""Sign in at a hall's self-service kiosk (自助服务终端) by scanning one's 鲁通码.

The person shows the 鲁通码 of their phone to the kiosk's scanner — valid in every scene, or restricted to 政务服务
(GOVERNMENT_SERVICE); the kiosk sends what the scanner typed. The code is verified and spent exactly as a scan
spends it (``codes.genuine_holder`` and ``codes.spend``: signature, expiry, scene, single use), so a code the
holder restricted to a hotel or a hospital, or a code already used anywhere, signs nobody in. The session opened is a KIOSK device session (a quarter of an hour, usable from
the kiosk only, limited to the kiosk channel); the sign-in is in the holder's access log, naming the hall.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from portal.audit.rules import Actor, record
from portal.catalog.models import Terminal
from portal.halls.models import Hall
from portal.identity import ratelimit
from portal.identity.rules import SignedIn, open_session
from portal.lutong import codes
from portal.lutong.errors import LuTongErrorCode
from portal.lutong.scenes import Scene
from portal.problems import EXPECTED, Code, Forbidden, FormProblems, InvalidField

SCENE = Scene.GOVERNMENT_SERVICE
HOW = "lutong"


def kiosk_device_name(hall: Hall) -> str:
    """How the session is listed in ``me.sessions`` on the person's phone."""
    return f"自助服务终端 · {hall.name}"


async def sign_in_with_code(actor: Actor, secret: str, *, payload: str, hall_code: str, now: datetime) -> SignedIn:
    """鲁通码 sign-in at a kiosk: only from the KIOSK terminal, only with a genuine, unexpired, unspent code valid
    in the GOVERNMENT_SERVICE scene (a code of every scene, or one restricted to it), at a known hall; failures are limited per address (a kiosk guessing codes)."""
    if actor.terminal != Terminal.KIOSK.value:
        raise Forbidden(LuTongErrorCode.KIOSK_ONLY, "扫码登录只能在政务服务大厅的自助服务终端上使用")
    await ratelimit.ensure_allowed(ratelimit.LUTONG_SIGN_IN_PER_ADDRESS, actor.address)
    try:
        hall = await Hall.get_or_none(code=hall_code) if isinstance(hall_code, str) and len(hall_code) <= 30 else None
        if hall is None:
            raise FormProblems([InvalidField("hallCode", Code.UNKNOWN_HALL, "未找到该政务服务大厅，请联系大厅工作人员")])
        claims, holder = await codes.genuine_holder(secret, payload, SCENE, now)
        async with in_transaction():
            await codes.spend(claims, holder, now)
            await record("lutong.scan", actor, subject_account_id=holder.id, target=SCENE.value,
                         detail={"purpose": "kiosk-sign-in", "hall": hall.code})
            signed_in = await open_session(holder, actor, terminal=Terminal.KIOSK, device=kiosk_device_name(hall),
                                           how=HOW)
    except EXPECTED:
        await ratelimit.count_attempt(ratelimit.LUTONG_SIGN_IN_PER_ADDRESS, actor.address)
        raise
    await codes.purge_used(now)
    return signed_in
