"""The six 鲁通码 scene categories, read from ``scenes.yaml``: who may scan, what the scanner learns, and what of
an application filed in the scene its operator may read back; and whether an account may scan in a scene."""

from __future__ import annotations

from enum import Enum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from portal.catalog.source import DATA_DIR
from portal.identity.masking import FORM_MASKS, PLAIN
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.sources import Record, Ref, Text, UpperSnake, codes, problem, read_yaml, unique, validate

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


def _scanner(role: Role) -> Role:
    if role not in SCANNER_ROLES:
        raise problem(f"{role.value} does not scan; scanners are among {[r.value for r in SCANNER_ROLES]}")
    return role


def _once(values: tuple[str, ...]) -> tuple[str, ...]:
    unique(values, "certificate type").check()
    return values


class SceneRule(Record):
    scene: Scene = Field(alias="code")
    name: Text
    scanners: Annotated[frozenset[Annotated[Role, AfterValidator(_scanner)]], Field(min_length=1)]
    identity: Literal[IDENTITY_LEVELS]
    certificates: Annotated[tuple[Annotated[UpperSnake, Ref("certificateTypes", "certificate type")], ...],
                            AfterValidator(_once)] = ()
    # form key -> plain, or the mask it is shown with
    form: dict[Annotated[str, Ref("fields", "field")], Literal[FORM_SHOWN]] = {}


def _every_scene_once(rules: tuple[SceneRule, ...]) -> dict[Scene, SceneRule]:
    unique([r.scene.value for r in rules], "scene").check()
    missing = [s.value for s in Scene if s not in {r.scene for r in rules}]
    if missing:
        raise problem(f"scenes missing: {missing}")
    return {r.scene: r for r in rules}


def certificate_type_codes(path: Path = CERTIFICATE_TYPES_FILE) -> set[str]:
    return codes(read_yaml(path))


def field_keys(path: Path = FIELDS_FILE) -> set[str]:
    return codes(read_yaml(path), "key")


def parse_scenes(entries: Any, known_types: set[str], known_fields: set[str],
                 source: str = "scenes.yaml") -> dict[Scene, SceneRule]:
    """Validate every entry against the catalog's certificate types and fields; all problems are reported at once
    (``SourceError``)."""
    return validate(source, Annotated[tuple[SceneRule, ...], AfterValidator(_every_scene_once)], entries,
                    {"certificateTypes": known_types, "fields": known_fields})


@cache
def scene_rules() -> dict[Scene, SceneRule]:
    return parse_scenes(read_yaml(SCENES_FILE), certificate_type_codes(), field_keys(), SCENES_FILE.name)


def rule_of(scene: Scene | str) -> SceneRule:
    return scene_rules()[Scene(scene)]


async def scanner_scene_allowed(principal: Principal | None, scene: Scene) -> bool:
    """May this account scan in ``scene`` (scenes.yaml)? A scene operator only in its own account's scene."""
    if principal is None or principal.kind is not AccountKind.STAFF or principal.role is None:
        return False
    if principal.role not in rule_of(scene).scanners:
        return False
    if principal.role is Role.SCENE_OPERATOR:
        return await Account.exists(id=principal.account_id, scene=scene.value, disabled=False)
    return True
