"""鲁通码 and e-licence wallet types, queries and mutations. Thin: rules decide, this file shapes."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal.api.errors import (
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    RateLimited,
    expected_failures_as_values,
    signed_in,
)
from portal.applications.api import Application, shown
from portal.catalog.models import CertificateType, Terminal
from portal.identity import masking
from portal.identity.api import AuthPayload, auth_payload
from portal.identity.models import AccountKind
from portal.identity.principal import Principal
from portal.lutong import codes, legacy
from portal.lutong.checkin import check_in_guest
from portal.lutong.errors import LuTongErrorCode
from portal.lutong.models import Certificate as CertificateRow
from portal.lutong.scenes import Scene, scanner_scene_allowed
from portal.lutong.signin import sign_in_with_code
from portal.problems import Refused

strawberry.enum(Scene, description="The six 鲁通码 scene categories (scenes.yaml says who scans, what they learn).")


async def _type_names(codes_: list[str]) -> dict[str, str]:
    if not codes_:
        return {}  # a holder without e-licences: nothing to ask the database
    return dict(await CertificateType.filter(code__in=codes_).values_list("code", "name"))


@strawberry.type(description="An e-licence (电子证照) in the holder's wallet; the number is masked.")
class Certificate:
    id: strawberry.ID
    type: str
    name: str
    number: str
    issuer: str = strawberry.field(description="The issuing department's code.")
    issued_at: datetime
    valid_until: date | None


async def my_certificates(principal: Principal) -> list[Certificate]:
    rows = await CertificateRow.filter(holder_id=principal.account_id).order_by("-id")
    names = await _type_names(list({r.type_code for r in rows}))
    return [Certificate(id=strawberry.ID(str(r.id)), type=r.type_code, name=names.get(r.type_code, r.type_code),
                        number=masking.licence_number(r.number), issuer=r.issuer_code, issued_at=r.issued_at,
                        valid_until=r.valid_until) for r in rows]


@strawberry.type(description="A 鲁通码 to show: a signed, single-use token valid about a minute, and its QR code.")
class LuTongCode:
    payload: str
    svg: str
    expires_at: datetime
    scene: Scene | None = strawberry.field(description=(
        "The one scene the holder restricted the code to (refused elsewhere: WRONG_SCENE); null: valid in every "
        "scene, the scanner's scene deciding what it learns."))


@strawberry.type(description="Who holds a scanned code, masked (张*, 370102********1234).")
class ScanHolder:
    masked_name: str
    masked_id_number: str | None


@strawberry.type(description="A licence the scanning scene may see; the number is masked.")
class ScannedCertificate:
    type: str
    name: str
    number: str
    valid_until: date | None


@strawberry.type(description="An older code (健康码, 公交卡 ...) of the holder that the scanning scene may use; the value "
                             "is masked (its first and last four characters).")
class ScannedLegacyCode:
    type: str
    name: str
    value: str


@strawberry.type(description="What a scanner learns: only what its scene allows (scenes.yaml).")
class ScanResult:
    holder: ScanHolder
    certificates: list[ScannedCertificate]
    legacy_codes: list[ScannedLegacyCode] = strawberry.field(description=(
        "The holder's older codes the 鲁通码 stands in for, of the types the scanning scene may use "
        "(legacy_code_types.yaml: GOVERNMENT_SERVICE every type, any other scene the types of that scene)."))
    scene: Scene
    scanned_at: datetime
    applicant_id: strawberry.ID | None = strawberry.field(description=(
        "窗口代办: the holder's account, for a window clerk who scanned in GOVERNMENT_SERVICE to pass as `applicantId` "
        "(submitBundleApplication on WINDOW, bundle.form) until `consentExpiresAt`; null for every other scan."))
    consent_expires_at: datetime | None = strawberry.field(description=(
        "When the holder's consent to 窗口代办 given by this scan ends (30 minutes after it); null when none was given."))

    @classmethod
    async def of(cls, scanned: codes.ScanOutcome) -> ScanResult:
        names = await _type_names([c.type_code for c in scanned.certificates])
        consent = scanned.consent
        return cls(holder=ScanHolder(masked_name=scanned.masked_name, masked_id_number=scanned.masked_id_number),
                   certificates=[ScannedCertificate(type=c.type_code, name=names.get(c.type_code, c.type_code),
                                                    number=c.number, valid_until=c.valid_until)
                                 for c in scanned.certificates],
                   legacy_codes=[ScannedLegacyCode(type=c.type_code, name=c.name, value=c.value)
                                 for c in scanned.legacy_codes],
                   scene=scanned.scene, scanned_at=scanned.scanned_at,
                   applicant_id=strawberry.ID(str(consent.holder_id)) if consent else None,
                   consent_expires_at=consent.expires_at if consent else None)


@strawberry.type(description="酒店入住一件事: the guest's scan and the registration filed for them.")
class CheckIn:
    scan: ScanResult | None = strawberry.field(description="Null when a retried key returned the first check-in.")
    application: Application


ScanLuTongCodeResult = Annotated[ScanResult | FormInvalid | PermissionDenied | NotFound | Conflict,
                                 strawberry.union("ScanLuTongCodeResult")]
CheckInGuestResult = Annotated[CheckIn | FormInvalid | PermissionDenied | Conflict,
                               strawberry.union("CheckInGuestResult")]


def _now() -> datetime:
    return datetime.now(timezone.utc)


@strawberry.type
class LuTongQuery:
    @strawberry.field(description="A fresh 鲁通码 (signed-in citizens and enterprises): valid in every scene, or only "
                                  "in `scene` when the holder restricts it to one.")
    async def my_lu_tong_code(self, info: Info, scene: Scene | None = None) -> LuTongCode:
        principal = await info.context.require_principal()
        if principal.kind not in (AccountKind.CITIZEN, AccountKind.ENTERPRISE):
            raise PublicError(LuTongErrorCode.NOT_A_HOLDER, "只有个人和企业用户有鲁通码")
        payload, expires_at = codes.issue_code(info.context.settings.secret_key, principal.account_id, scene, _now())
        return LuTongCode(payload=payload, svg=codes.svg(payload), expires_at=expires_at, scene=scene)

    @strawberry.field(description="The holder of an older code (健康码, 社保卡号 ...), masked; null when unknown. "
                                  "For window clerks and scene operators; every look-up is in the holder's access log.")
    async def resolve_legacy_code(self, info: Info, code_type: str, value: str) -> ScanHolder | None:
        try:
            holder = await legacy.resolve(await info.context.principal(), await info.context.actor(), code_type, value)
        except Refused as refused:
            raise PublicError(refused.code, refused.message) from refused
        if holder is None:
            return None
        name, id_number = codes.masked_identity(holder)
        return ScanHolder(masked_name=name, masked_id_number=id_number)

    @strawberry.field(description="The scenes the signed-in account may scan 鲁通码 in (a window clerk: "
                                  "GOVERNMENT_SERVICE; a scene operator: its own scene); empty for anyone else.")
    async def my_scanner_scenes(self, info: Info) -> list[Scene]:
        principal = await info.context.principal()
        return [scene for scene in Scene if await scanner_scene_allowed(principal, scene)]


@strawberry.input
class SignInWithLuTongCodeInput:
    code: str = strawberry.field(description="What the kiosk's scanner read: the person's 鲁通码, valid in every "
                                             "scene or restricted to 政务服务.")
    hall_code: str = strawberry.field(description="The hall the kiosk stands in.")


LuTongSignInResult = Annotated[AuthPayload | FormInvalid | PermissionDenied | Conflict | RateLimited,
                               strawberry.union("LuTongSignInResult")]


@strawberry.type
class LuTongMutation:
    @strawberry.mutation(description="Sign in at a hall's kiosk by scanning the person's 鲁通码 (valid in every scene "
                                     "or restricted to GOVERNMENT_SERVICE), from the KIOSK terminal only: a KIOSK "
                                     "device session. KIOSK_ONLY, "
                                     "FORGED, EXPIRED, REPLAYED, WRONG_SCENE and UNKNOWN_HALL are the expected "
                                     "failures, refused attempts limited per address.")
    @expected_failures_as_values
    async def sign_in_with_lu_tong_code(self, info: Info, input: SignInWithLuTongCodeInput) -> LuTongSignInResult:
        return auth_payload(info, await sign_in_with_code(
            await info.context.actor(), info.context.settings.secret_key, payload=input.code,
            hall_code=input.hall_code, now=datetime.now(timezone.utc)))

    @strawberry.mutation(description="Scan a 鲁通码 in a scene (a code valid in every scene, or restricted to this "
                                     "one; single use across scenes): FORGED, EXPIRED, REPLAYED, WRONG_SCENE, "
                                     "SCENE_NOT_ALLOWED are the expected failures. A window clerk's scan in "
                                     "GOVERNMENT_SERVICE is the holder's consent to 窗口代办 for 30 minutes; "
                                     "`counterCode` names the clerk's counter (NOT_YOUR_HALL, COUNTER_NOT_FOUND).")
    @expected_failures_as_values
    async def scan_lu_tong_code(self, info: Info, payload: str, scene: Scene,
                                counter_code: str | None = None) -> ScanLuTongCodeResult:
        scanned = await codes.scan(await signed_in(info), await info.context.actor(),
                                   info.context.settings.secret_key, payload, scene, _now(),
                                   counter_code=counter_code)
        return await ScanResult.of(scanned)

    @strawberry.mutation(description="酒店入住一件事: a LODGING scene operator scans the guest's code and files the "
                                     "hotel-check-in registration for the guest in one step.")
    @expected_failures_as_values
    async def check_in_guest(self, info: Info, payload: str, room_number: str, nights: int,
                             idempotency_key: str) -> CheckInGuestResult:
        done = await check_in_guest(
            await signed_in(info), await info.context.actor(), info.context.calendar,
            info.context.settings.secret_key, payload=payload, room_number=room_number, nights=nights,
            idempotency_key=idempotency_key,
            channel=Terminal.KIOSK if info.context.terminal is Terminal.KIOSK else Terminal.WINDOW, now=_now())
        return CheckIn(scan=await ScanResult.of(done.scan) if done.scan else None,
                       application=await shown(info, done.application))
