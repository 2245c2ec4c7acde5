"""Shared steps of the application tests: handlers, uploads, a valid newborn submission."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from portal.audit.rules import Actor
from portal.identity.models import Role
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff, login
from tests.helpers import new_id_number

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
_handlers = itertools.count(1)

SUBMIT = """
mutation($input: SubmitBundleApplicationInput!) {
  submitBundleApplication(input: $input) {
    __typename
    ... on Application {
      id status channel formValues
      tasks { id status version deadline deadlineProvisional prerequisites departmentCode item { code } }
      materials { code source fileId certificateType }
    }
    ... on FormInvalid { errors { field code message } }
    ... on PermissionDenied { code message }
    ... on Conflict { code message }
  }
}"""
TASK_FIELDS = "__typename ... on Task { id status version note deadline supplement { fields materials message } } " \
              "... on Conflict { code message } ... on NotFound { code } ... on PermissionDenied { code } " \
              "... on FormInvalid { errors { field code } }"
ACCEPT = f"mutation($id: ID!, $v: Int!) {{ acceptTask(id: $id, version: $v) {{ {TASK_FIELDS} }} }}"
APPROVE = f"mutation($id: ID!, $v: Int!, $note: String) {{ approveTask(id: $id, version: $v, note: $note) {{ {TASK_FIELDS} }} }}"
REJECT = f"mutation($id: ID!, $v: Int!, $r: String!) {{ rejectTask(id: $id, version: $v, reason: $r) {{ {TASK_FIELDS} }} }}"
SUPPLEMENT = (f"mutation($id: ID!, $v: Int!, $f: [String!]!, $m: [String!], $msg: String) {{ requestSupplement("
              f"id: $id, version: $v, fields: $f, materials: $m, message: $msg) {{ {TASK_FIELDS} }} }}")
APPLICATION = """
query($id: ID!) { application(id: $id) {
  id status formValues applicant { displayName }
  tasks { id status version deadline overdue prerequisites item { code } supplement { fields } }
  materials { code source certificateType certificateNumber }
} }"""


async def handler(department: str, *, role: Role = Role.DEPARTMENT_HANDLER) -> str:
    """A signed-in staff member of ``department``; returns the token."""
    username = f"handler-{department.lower()}-{next(_handlers)}"
    await create_staff(Passwords("test"), username=username, password="Handler-Pass-2115", role=role,
                       department_code=department, region_code=department[:6], name="经办人")
    signed_in = await login(Passwords("test"), Actor(None, "test", f"10.251.{next(_handlers) % 250}.1"),
                            username=username, password="Handler-Pass-2115")
    return signed_in.token


async def post_escaped(http: httpx.AsyncClient, query: str, variables: dict[str, Any], *,
                       token: str | None = None) -> dict[str, Any]:
    """Post a GraphQL request as an attacker's client may: a lone surrogate written as its JSON escape ("\\ud800"),
    which httpx's own encoder refuses to send."""
    response = await http.post("/graphql", content=json.dumps({"query": query, "variables": variables}),
                               headers={"content-type": "application/json",
                                        **({"authorization": f"Bearer {token}"} if token else {})})
    assert response.status_code == 200, response.text
    return response.json()


async def upload(http: httpx.AsyncClient, token: str, content: bytes = PDF, name: str = "材料.pdf") -> str:
    response = await http.post("/uploads", content=content + uuid.uuid4().bytes,
                               headers={"authorization": f"Bearer {token}", "x-file-name": quote(name),
                                        "content-type": "application/pdf"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


_GIVEN = "安宁嘉佳俊浩然轩雨欣梓涵沐晨"
_children = itertools.count()


def child_name() -> str:
    """A child's name no other test's newborn application has (the same child twice is a likely duplicate)."""
    n = next(_children)
    return "张" + _GIVEN[n % len(_GIVEN)] + _GIVEN[n // len(_GIVEN) % len(_GIVEN)] + (
        _GIVEN[n // len(_GIVEN) ** 2 % len(_GIVEN)] if n >= len(_GIVEN) ** 2 else "")


def newborn_values(**overrides: object) -> dict[str, object]:
    born = (date.today() - timedelta(days=20)).isoformat()
    return {
        "child.name": child_name(), "child.gender": "MALE", "child.birthDate": born, "child.birthPlace": "济南市妇幼保健院",
        "mother.name": "李梅", "mother.idNumber": new_id_number(), "father.name": "张三",
        "father.idNumber": new_id_number(), "applicant.address": "济南市历下区龙奥北路8号",
        "child.ethnicity": "汉族", "household.address": "济南市历下区解放路100号", "delivery.method": "MAIL",
        **overrides,
    }


# What a newborn application needs uploaded when the applicant holds no e-licences: 出生医学证明 is issued on
# the way, but 出生登记 needs the parents' household register to start with.
NEWBORN_UPLOADS = ("birth-medical-record", "resident-id-card", "newborn-vaccination-record", "household-register")


async def newborn_materials(http: httpx.AsyncClient, token: str) -> list[dict[str, str]]:
    return [{"code": code, "fileId": await upload(http, token)}
            for code in NEWBORN_UPLOADS]


async def submit_newborn(gql: Any, http: httpx.AsyncClient, token: str, key: str | None = None,
                         **overrides: object) -> dict[str, Any]:
    body = await gql(SUBMIT, {"input": {
        "bundleCode": "newborn", "formValues": newborn_values(**overrides), "channel": "MOBILE",
        "idempotencyKey": key or str(uuid.uuid4()), "materials": await newborn_materials(http, token)}}, token=token)
    result = body["data"]["submitBundleApplication"]
    assert result["__typename"] == "Application", result
    return result


def task_of(application: dict[str, Any], item: str) -> dict[str, Any]:
    return next(t for t in application["tasks"] if t["item"]["code"] == item)
