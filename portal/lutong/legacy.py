"""Older codes (健康码, 社保卡号, 公交卡 ...) resolved to their holder: the types are data
(``legacy_code_types.yaml``, validated on load), each belonging to the scene whose scanners may use it. A scan of
the 鲁通码 lists the holder's older codes of the types the scanning scene may use, masked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator

from portal.audit.rules import Actor, record
from portal.db import fits
from portal.identity import masking
from portal.identity.models import Account
from portal.identity.principal import Principal
from portal.lutong.errors import LuTongErrorCode
from portal.lutong.models import LegacyCode
from portal.lutong.scenes import Scene, scanner_scene_allowed
from portal.problems import Forbidden, Missing
from portal.sources import Pattern, Record, Text, problem, read_yaml, records, validate

TYPES_FILE = Path(__file__).with_name("legacy_code_types.yaml")
MAX_CODE = 40  # LegacyCode.code_type


class LegacyCodeType(Record):
    code: Pattern(rf"[A-Z][A-Z0-9_]{{0,{MAX_CODE - 1}}}", f"UPPER_SNAKE of at most {MAX_CODE} characters")
    name: Text
    scene: Scene


def _every_scene(types: tuple[LegacyCodeType, ...]) -> tuple[LegacyCodeType, ...]:
    unused = [s.value for s in Scene if s not in {t.scene for t in types}]
    if unused:
        raise problem(f"no older code type for the scenes {unused}: the 鲁通码 replaces codes in every scene")
    return types


def parse_types(entries: Any, source: str = "legacy_code_types.yaml") -> dict[str, LegacyCodeType]:
    """The types of a decoded file (each code once, every scene used), or ``SourceError`` listing every problem."""
    kind = Annotated[records(LegacyCodeType, min_length=1), AfterValidator(_every_scene)]
    return {t.code: t for t in validate(source, kind, entries)}


@cache
def legacy_types() -> dict[str, LegacyCodeType]:
    return parse_types(read_yaml(TYPES_FILE), TYPES_FILE.name)


def usable_in(scene: Scene, code_type: LegacyCodeType) -> bool:
    """Which older codes a scene may use: government service (政务服务) every type, any other scene the types that
    belong to it (legacy_code_types.yaml ``scene``)."""
    return scene is Scene.GOVERNMENT_SERVICE or code_type.scene is scene


@dataclass(frozen=True)
class ScannedLegacyCode:
    type_code: str
    name: str
    value: str  # masked


async def visible_legacy_codes(holder_id: int, scene: Scene) -> list[ScannedLegacyCode]:
    """The holder's older codes of the types ``scene`` may use, in the order of the types file; each value masked
    like a licence number (the first and last four characters), enough to recognise the card, not to copy it."""
    types = [t for t in legacy_types().values() if usable_in(scene, t)]
    order = {t.code: i for i, t in enumerate(types)}
    rows = await LegacyCode.filter(holder_id=holder_id, code_type__in=list(order)).order_by("id")
    rows.sort(key=lambda row: order[row.code_type])
    named = {t.code: t.name for t in types}
    return [ScannedLegacyCode(r.code_type, named[r.code_type], masking.licence_number(r.value)) for r in rows]


async def _scene_of(principal: Principal | None, code_type: LegacyCodeType) -> Scene | None:
    """The scene the look-up happens in: government service (a window clerk or a hall's kiosk: every type), or the
    scene operator's own scene when the type belongs to it (``usable_in``)."""
    for scene in (Scene.GOVERNMENT_SERVICE, code_type.scene):
        if usable_in(scene, code_type) and await scanner_scene_allowed(principal, scene):
            return scene
    return None


async def resolve(principal: Principal | None, actor: Actor, code_type: str, value: str) -> Account | None:
    """The holder of an older code, or None; the read is logged for the holder like a scan."""
    known = legacy_types().get(code_type)
    if known is None:
        named = f"：{code_type}" if fits(LegacyCode, "code_type", code_type) else ""  # never 100 KB, never unencodable
        raise Missing(LuTongErrorCode.UNKNOWN_CODE_TYPE, f"不支持的旧码类型{named}")
    scene = await _scene_of(principal, known)
    if scene is None:
        raise Forbidden(LuTongErrorCode.SCENE_NOT_ALLOWED, f"您无权查询“{known.name}”")
    text = value.strip()
    # A value longer than the column names nobody (cutting it would let a longer value match a stored prefix).
    row = await LegacyCode.get_or_none(code_type=code_type, value=text).select_related("holder") if fits(
        LegacyCode, "value", text) else None
    if row is None or row.holder.disabled:
        return None
    await record("lutong.scan", actor, subject_account_id=row.holder_id, target=scene.value,
                 detail={"legacyCodeType": code_type})
    return row.holder
