"""The six 鲁通码 scene categories, read from ``scenes.yaml``: who may scan, what the scanner learns, and what of
an application filed in the scene its operator may read back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from portal.catalog.source import DATA_DIR
from portal.identity.masking import FORM_MASKS, PLAIN
from portal.identity.models import Role

SCENES_FILE = Path(__file__).with_name("scenes.yaml")
CERTIFICATE_TYPES_FILE = DATA_DIR / "certificate_types.yaml"
FIELDS_FILE = DATA_DIR / "fields.yaml"
FORM_SHOWN = (PLAIN, *FORM_MASKS)
SCANNER_ROLES = (Role.WINDOW_CLERK, Role.SCENE_OPERATOR)
IDENTITY_LEVELS = ("masked",)


class Scene(str, Enum):
    GOVERNMENT_SERVICE = "GOVERNMENT_SERVICE"
    MEDICAL_HEALTH = "MEDICAL_HEALTH"
    TRANSPORT = "TRANSPORT"
    CULTURE_TOURISM = "CULTURE_TOURISM"
    LODGING = "LODGING"
    SOCIAL_SECURITY = "SOCIAL_SECURITY"


class SceneConfigError(ValueError):
    """scenes.yaml is wrong; the message names every problem."""


@dataclass(frozen=True)
class SceneRule:
    scene: Scene
    name: str
    scanners: frozenset[Role]
    identity: str
    certificates: tuple[str, ...]
    form: Mapping[str, str]  # form key -> plain, or the mask it is shown with


def certificate_type_codes(path: Path = CERTIFICATE_TYPES_FILE) -> set[str]:
    return {entry["code"] for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def field_keys(path: Path = FIELDS_FILE) -> set[str]:
    return {entry["key"] for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def parse_scenes(entries: Any, known_types: set[str], known_fields: set[str],
                 source: str = "scenes.yaml") -> dict[Scene, SceneRule]:
    """Validate every entry; all problems are reported at once."""
    problems: list[str] = []
    rules: dict[Scene, SceneRule] = {}
    if not isinstance(entries, list):
        raise SceneConfigError(f"{source}: expected a list of scenes")
    for n, entry in enumerate(entries):
        where = f"{source}: entry {n + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: not a mapping")
            continue
        code = entry.get("code")
        if code not in Scene.__members__:
            problems.append(f"{where}: unknown scene {code!r}")
            continue
        where = f"{source}: {code}"
        scene = Scene(code)
        if scene in rules:
            problems.append(f"{where}: duplicate scene")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: a Chinese name is required")
        scanners = entry.get("scanners") or []
        bad_roles = [r for r in scanners if r not in {role.value for role in SCANNER_ROLES}]
        if bad_roles or not scanners:
            problems.append(f"{where}: scanners must be among {[r.value for r in SCANNER_ROLES]}, not {scanners!r}")
        if entry.get("identity") not in IDENTITY_LEVELS:
            problems.append(f"{where}: identity must be one of {IDENTITY_LEVELS}")
        certificates = entry.get("certificates") or []
        unknown = [c for c in certificates if c not in known_types]
        if unknown:
            problems.append(f"{where}: unknown certificate types {unknown}")
        if len(set(certificates)) != len(certificates):
            problems.append(f"{where}: a certificate type is listed twice")
        form = entry.get("form") or {}
        bad_form = not isinstance(form, Mapping) or any(
            key not in known_fields or shown not in FORM_SHOWN for key, shown in form.items())
        if bad_form:
            problems.append(f"{where}: form must map known field keys to one of {FORM_SHOWN}, not {form!r}")
        if not bad_roles and not unknown and not bad_form:
            rules[scene] = SceneRule(scene, str(name), frozenset(Role(r) for r in scanners),
                                     str(entry.get("identity")), tuple(certificates), dict(form))
    missing = [s.value for s in Scene if s not in rules and not any(s.value in p for p in problems)]
    if missing:
        problems.append(f"{source}: scenes missing: {missing}")
    if problems:
        raise SceneConfigError("\n".join(problems))
    return rules


@cache
def scene_rules() -> dict[Scene, SceneRule]:
    return parse_scenes(yaml.safe_load(SCENES_FILE.read_text(encoding="utf-8")), certificate_type_codes(),
                        field_keys(), str(SCENES_FILE.name))


def rule_of(scene: Scene | str) -> SceneRule:
    return scene_rules()[Scene(scene)]
