"""Older codes (健康码, 社保卡号, 公交卡 ...) resolved to their holder: the types are data
(``legacy_code_types.yaml``, validated on load), each belonging to the scene whose scanners may use it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from portal.audit.rules import Actor, record
from portal.db import fits
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.lutong.codes import scanner_scene_allowed
from portal.lutong.models import LegacyCode
from portal.lutong.scenes import Scene
from portal.problems import Refused

TYPES_FILE = Path(__file__).with_name("legacy_code_types.yaml")
MAX_CODE = 40  # LegacyCode.code_type


class LegacyTypesError(ValueError):
    pass


@dataclass(frozen=True)
class LegacyCodeType:
    code: str
    name: str
    scene: Scene


def parse_types(entries: Any, source: str = "legacy_code_types.yaml") -> dict[str, LegacyCodeType]:
    problems: list[str] = []
    types: dict[str, LegacyCodeType] = {}
    for n, entry in enumerate(entries if isinstance(entries, list) else []):
        code = entry.get("code") if isinstance(entry, dict) else None
        where = f"{source}: {code or f'entry {n + 1}'}"
        if not isinstance(code, str) or not code.isupper() or len(code) > MAX_CODE:
            problems.append(f"{where}: code must be UPPER_SNAKE, at most {MAX_CODE} characters")
            continue
        if code in types:
            problems.append(f"{where}: duplicate code")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            problems.append(f"{where}: a Chinese name is required")
        if entry.get("scene") not in Scene.__members__:
            problems.append(f"{where}: unknown scene {entry.get('scene')!r}")
            continue
        types[code] = LegacyCodeType(code, entry["name"], Scene(entry["scene"]))
    if not isinstance(entries, list) or not entries:
        problems.append(f"{source}: expected a non-empty list")
    if problems:
        raise LegacyTypesError("\n".join(problems))
    return types


@cache
def legacy_types() -> dict[str, LegacyCodeType]:
    return parse_types(yaml.safe_load(TYPES_FILE.read_text(encoding="utf-8")), TYPES_FILE.name)


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
