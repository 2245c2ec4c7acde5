"""Older codes (健康码, 社保卡号, 公交卡 ...) resolved to their holder: the types are data
(``legacy_code_types.yaml``, validated on load), each belonging to the scene whose scanners may use it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator

from portal.audit.rules import Actor, record
from portal.db import fits
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.lutong.codes import scanner_scene_allowed
from portal.lutong.models import LegacyCode
from portal.lutong.scenes import Scene
from portal.problems import Refused
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


async def _scene_of(principal: Principal | None, code_type: LegacyCodeType) -> Scene | None:
    """The scene the look-up happens in: a window clerk's (government service: every type), or the scene
    operator's own scene when the type belongs to it."""
    if principal is not None and principal.role is Role.WINDOW_CLERK and principal.kind is AccountKind.STAFF:
        return Scene.GOVERNMENT_SERVICE
    if await scanner_scene_allowed(principal, code_type.scene):
        return code_type.scene
    return None


async def resolve(principal: Principal | None, actor: Actor, code_type: str, value: str) -> Account | None:
    """The holder of an older code, or None; the read is logged for the holder like a scan."""
    known = legacy_types().get(code_type)
    if known is None:
        named = f"：{code_type}" if fits(LegacyCode, "code_type", code_type) else ""  # never 100 KB, never unencodable
        raise Refused("NOT_FOUND", "UNKNOWN_CODE_TYPE", f"不支持的旧码类型{named}")
    scene = await _scene_of(principal, known)
    if scene is None:
        raise Refused("PERMISSION", "SCENE_NOT_ALLOWED", f"您无权查询“{known.name}”")
    text = value.strip()
    # A value longer than the column names nobody (cutting it would let a longer value match a stored prefix).
    row = await LegacyCode.get_or_none(code_type=code_type, value=text).select_related("holder") if fits(
        LegacyCode, "value", text) else None
    if row is None or row.holder.disabled:
        return None
    await record("lutong.scan", actor, subject_account_id=row.holder_id, target=scene.value,
                 detail={"legacyCodeType": code_type})
    return row.holder
