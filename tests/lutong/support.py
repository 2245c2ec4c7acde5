"""Shared steps of the 鲁通码 tests: scene operators, holders with licences, codes."""

from __future__ import annotations

import itertools
from typing import Any

from portal.audit.rules import Actor
from portal.identity.models import Account, Role
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff, login
from portal.lutong.rules import issue
from portal.identity.rules import register_citizen
from tests.helpers import new_id_number, new_phone

_operators = itertools.count(1)
PASSWORD = "Scene-Operator-2115"

CODE = "query($s: Scene) { myLuTongCode(scene: $s) { payload svg expiresAt scene } }"
SCAN = """
mutation($p: String!, $s: Scene!) { scanLuTongCode(payload: $p, scene: $s) {
  __typename
  ... on ScanResult { holder { maskedName maskedIdNumber } certificates { type name number } scene scannedAt }
  ... on PermissionDenied { code message }
  ... on Conflict { code message }
} }"""


async def scene_operator(scene: str, *, name: str = "泉城大酒店", role: Role = Role.SCENE_OPERATOR) -> str:
    """A signed-in scanner bound to ``scene`` (a hotel desk, a hospital ...); returns the token."""
    n = next(_operators)
    username = f"scene-{scene.lower().replace('_', '-')}-{n}"
    account = await create_staff(Passwords("test"), username=username, password=PASSWORD, role=role,
                                 department_code=None, region_code="370100", name=name,
                                 scene=scene if role is Role.SCENE_OPERATOR else None)
    if role is not Role.SCENE_OPERATOR:
        await Account.filter(id=account.id).update(scene=scene)  # a scene on a role that cannot use it
    signed_in = await login(Passwords("test"), Actor(None, "test", f"10.252.{n % 250}.1"), username=username,
                            password=PASSWORD)
    return signed_in.token


async def holder(gql: Any, **overrides: str) -> dict[str, Any]:
    """A registered citizen holding an ID card, a social security card and a driving licence."""
    data = {"name": "张三", "idNumber": new_id_number(), "phone": new_phone(), **overrides}
    n = next(_operators)
    signed_in = await register_citizen(Passwords("test"), Actor(None, "test", f"10.253.{n // 250 % 250}.{n % 250}"),
                                       name=data["name"], id_number=data["idNumber"], phone=data["phone"],
                                       password=PASSWORD)
    account_id = signed_in.account.id
    citizen: dict[str, Any] = {**data, "token": signed_in.token, "account": {"id": str(account_id)}}
    citizen["certificates"] = {
        code: await issue(account_id, code, issuer, {})
        for code, issuer in (("RESIDENT_ID_CARD", "370000-GAT"), ("SOCIAL_SECURITY_CARD", "370000-RST"),
                             ("DRIVING_LICENSE", "370000-GAT"))}
    return citizen


async def code_for(gql: Any, token: str, scene: str | None) -> str:
    """A fresh code of the holder: valid in every scene (``scene`` None) or restricted to ``scene``."""
    body = await gql(CODE, {"s": scene}, token=token)
    return body["data"]["myLuTongCode"]["payload"]


async def scan(gql: Any, token: str, payload: str, scene: str) -> dict[str, Any]:
    return (await gql(SCAN, {"p": payload, "s": scene}, token=token))["data"]["scanLuTongCode"]
