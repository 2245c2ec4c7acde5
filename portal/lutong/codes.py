"""The 鲁通码: a short-lived, signed, single-use token shown as a QR code, and its scan.

Payload: ``LTM1.<base64url(json {h, s, e, n})>.<base64url(HMAC-SHA256)>`` — holder id, scene, expiry (Unix
seconds), random nonce. The code is valid in every scene unless the holder restricted it to one: then ``s`` names
that scene; without ``s`` the scanner's scene alone decides what it learns. The signing key is derived from the
portal secret (HMAC(secret, "lutong-code-v1")), so the code key can never be confused with another use of the
secret. A scan checks the scanner's scene, the signature (constant time), the expiry and the code's scene if it
has one, spends the nonce (a replay is refused, in whatever scene the code was first scanned), answers what the
scene may learn (licences and older codes), masked, and writes the scan to the audit trail, where the holder sees
it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import segno
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal.audit.rules import Actor, record
from portal.config import derived_key
from portal.identity import masking
from portal.identity.models import Account, AccountKind, WindowAuthorisation
from portal.identity.principal import Principal
from portal.lutong.legacy import ScannedLegacyCode, visible_legacy_codes
from portal.lutong.models import UsedCode
from portal.lutong.rules import holdings
from portal.lutong import window
from portal.lutong.errors import LuTongErrorCode
from portal.lutong.scenes import Scene, rule_of, scanner_scene_allowed
from portal.problems import Conflicting, Forbidden

PREFIX = "LTM1"
LIFETIME = timedelta(seconds=60)
KEY_LABEL = b"lutong-code-v1"
NONCE_BYTES = 12  # 16 base64url characters; UsedCode.nonce holds 40
MAX_PAYLOAD = 400
# A spent nonce is kept this long after its code expired (clock differences between servers).
PURGE_GRACE = timedelta(seconds=60)


class CodeForged(Conflicting):
    def __init__(self) -> None:
        super().__init__(LuTongErrorCode.FORGED, "鲁通码无效，请持码人刷新后重新出示")


class CodeExpired(Conflicting):
    def __init__(self) -> None:
        super().__init__(LuTongErrorCode.EXPIRED, "鲁通码已过期，请持码人刷新后重新出示")


@dataclass(frozen=True)
class Claims:
    holder_id: int
    scene: Scene | None  # None: valid in every scene
    expires_at: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def code_key(secret: str) -> bytes:
    """The code-signing key, derived from the portal secret (HKDF-like extract with a fixed label)."""
    return derived_key(secret, KEY_LABEL)


def _signature(secret: str, signed: str) -> bytes:
    return hmac.new(code_key(secret), signed.encode("ascii"), hashlib.sha256).digest()


def issue_code(secret: str, holder_id: int, scene: Scene | str | None, now: datetime) -> tuple[str, datetime]:
    """A fresh code for ``holder_id``, valid for 60 seconds from ``now``: in every scene (``scene`` None, the claims
    carry no scene), or restricted by the holder to ``scene``."""
    expires = int(now.timestamp()) + int(LIFETIME.total_seconds())
    claims: dict[str, object] = {"h": holder_id, "e": expires, "n": _b64(secrets.token_bytes(NONCE_BYTES))}
    if scene is not None:
        claims["s"] = Scene(scene).value
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    signed = f"{PREFIX}.{body}"
    return f"{signed}.{_b64(_signature(secret, signed))}", datetime.fromtimestamp(expires, timezone.utc)


def verify(secret: str, payload: str, now: datetime) -> Claims:
    """The claims of a genuine, unexpired code; FORGED (format or signature) or EXPIRED otherwise."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
        raise CodeForged()
    parts = payload.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise CodeForged()
    try:
        signature = _unb64(parts[2])
    except (ValueError, binascii.Error):
        raise CodeForged() from None
    if not hmac.compare_digest(signature, _signature(secret, f"{parts[0]}.{parts[1]}")):
        raise CodeForged()
    try:
        raw = json.loads(_unb64(parts[1]))
        claims = Claims(holder_id=raw["h"], scene=Scene(raw["s"]) if "s" in raw else None,
                        expires_at=datetime.fromtimestamp(raw["e"], timezone.utc), nonce=raw["n"])
    except (ValueError, KeyError, TypeError, binascii.Error, OverflowError, OSError):
        raise CodeForged() from None
    if not isinstance(claims.holder_id, int) or not isinstance(claims.nonce, str) or not 0 < len(claims.nonce) <= 40:
        raise CodeForged()
    if now >= claims.expires_at:
        raise CodeExpired()
    return claims


def svg(payload: str) -> str:
    """The code as an inline SVG QR code (error correction M)."""
    return segno.make(payload, error="m").svg_inline(scale=4)


@dataclass(frozen=True)
class ScannedCertificate:
    type_code: str
    number: str  # masked
    issuer_code: str
    valid_until: date | None


@dataclass(frozen=True)
class ScanOutcome:
    holder: Account
    masked_name: str
    masked_id_number: str | None
    certificates: list[ScannedCertificate]
    scene: Scene
    scanned_at: datetime
    consent: WindowAuthorisation | None = None  # 窗口代办: a window clerk's scan in GOVERNMENT_SERVICE
    legacy_codes: tuple[ScannedLegacyCode, ...] = ()


async def _require_scanner(principal: Principal | None, scene: Scene) -> None:
    if not await scanner_scene_allowed(principal, scene):
        raise Forbidden(LuTongErrorCode.SCENE_NOT_ALLOWED, f"您无权在“{rule_of(scene).name}”场景扫描鲁通码")


def masked_identity(holder: Account) -> tuple[str, str | None]:
    if holder.kind is AccountKind.ENTERPRISE:
        return holder.name, masking.credit_code(holder.credit_code)
    return masking.name(holder.name), masking.id_number(holder.id_number)


async def visible_certificates(holder_id: int, scene: Scene) -> list[ScannedCertificate]:
    """The holder's licences of the types this scene may see, in the scene's order, numbers masked."""
    held = await holdings(holder_id)
    return [ScannedCertificate(c.type_code, masking.licence_number(c.number), c.issuer_code, c.valid_until)
            for c in (held.get(t) for t in rule_of(scene).certificates) if c is not None]


async def purge_used(now: datetime) -> int:
    """Forget spent nonces whose codes expired (they would be refused as EXPIRED anyway)."""
    return await UsedCode.filter(expires_at__lt=now - PURGE_GRACE).delete()


async def genuine_holder(secret: str, payload: str, scene: Scene, now: datetime) -> tuple[Claims, Account]:
    """The claims and holder of a genuine, unexpired code valid in ``scene`` (FORGED, EXPIRED, WRONG_SCENE): a code
    of every scene, or one the holder restricted to ``scene``; a code restricted to a hotel is no code for a
    government hall, whoever once saw it."""
    claims = verify(secret, payload, now)
    if claims.scene is not None and claims.scene is not scene:
        raise Conflicting(LuTongErrorCode.WRONG_SCENE,
                      f"这是“{rule_of(claims.scene).name}”场景的鲁通码，不能用于“{rule_of(scene).name}”")
    holder = await Account.get_or_none(id=claims.holder_id, disabled=False)
    if holder is None or holder.kind is AccountKind.STAFF:
        raise CodeForged()
    return claims, holder


async def spend(claims: Claims, holder: Account, now: datetime) -> None:
    """Single use: record the code's nonce as spent (call inside the transaction of what the code is used for);
    a code spent before is REPLAYED."""
    try:
        await UsedCode.create(nonce=claims.nonce, holder_id=holder.id, scanned_at=now, expires_at=claims.expires_at)
    except IntegrityError:
        raise Replayed() from None


class Replayed(Conflicting):
    def __init__(self) -> None:
        super().__init__(LuTongErrorCode.REPLAYED, "该鲁通码已被扫描过，请持码人刷新后重新出示")


async def scan(principal: Principal | None, actor: Actor, secret: str, payload: str, scene: Scene | str,
               now: datetime, *, counter_code: str | None = None) -> ScanOutcome:
    """扫码: the scanner may scan here, the code is genuine, unexpired and valid in this scene, and was never
    scanned before (in any scene); answer what the scene may learn (its licence types and older code types) and
    log the read for the holder. A window clerk's scan in
    GOVERNMENT_SERVICE is also the holder's consent to 窗口代办 (``window.grant``), at ``counter_code`` if given
    (a counter of the clerk's hall)."""
    scene = Scene(scene)
    await _require_scanner(principal, scene)
    place = await window.place_of(principal, counter_code)
    claims, holder = await genuine_holder(secret, payload, scene, now)
    try:
        async with in_transaction():
            await spend(claims, holder, now)
            certificates = await visible_certificates(holder.id, scene)
            legacy_codes = await visible_legacy_codes(holder.id, scene)
            consent = (await window.grant(principal, holder.id, claims.nonce, place, now)
                       if window.gives_consent(principal, scene) else None)
            detail: dict[str, object] = {"certificates": [c.type_code for c in certificates],
                                         "legacyCodes": [c.type_code for c in legacy_codes]}
            if consent is not None:
                detail.update(consent.place(), consent={"id": consent.id, "expiresAt": consent.expires_at.isoformat()})
            await record("lutong.scan", actor, subject_account_id=holder.id, target=scene.value, detail=detail)
    except IntegrityError:
        raise Replayed() from None
    await purge_used(now)
    name, id_number = masked_identity(holder)
    return ScanOutcome(holder, name, id_number, certificates, scene, now, consent, tuple(legacy_codes))
