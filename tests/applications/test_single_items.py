"""单事项办理: every item applied for on its own, with the same form checks, materials, tasks, number and
tracking as a bundle of one."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.applications.support import upload
from tests.identity.test_accounts import register

ITEM = "370000-GAT-002"  # 居民身份证到期换领: MOBILE and WINDOW
SUBMIT_ITEM = """mutation($input: SubmitItemApplicationInput!) { submitItemApplication(input: $input) { __typename
  ... on Application { id number status channel bundle { code name singleItem } tasks { status item { code } } }
  ... on FormInvalid { errors { field code } } } }"""


async def apply(gql: Any, token: str, **overrides: Any) -> dict[str, Any]:
    body = await gql(SUBMIT_ITEM, {"input": {"itemCode": ITEM, "channel": "MOBILE", "idempotencyKey": str(uuid.uuid4()),
                                             "formValues": {"delivery.method": "MAIL"}, **overrides}}, token=token)
    return body["data"]["submitItemApplication"]


async def materials(client: httpx.AsyncClient, token: str) -> list[dict[str, str]]:
    return [{"code": code, "fileId": await upload(client, token)}
            for code in ("resident-id-card", "household-register", "id-photo")]


async def test_an_item_is_applied_for_on_its_own_and_tracked_like_a_bundle(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await apply(gql, citizen["token"], materials=await materials(client, citizen["token"]))
    assert application["__typename"] == "Application", application
    assert application["bundle"] == {"code": "item-370000-gat-002", "name": "居民身份证到期换领", "singleItem": True}
    assert application["tasks"] == [{"status": "SUBMITTED", "item": {"code": ITEM}}]
    assert application["status"] == "IN_PROGRESS" and application["number"].startswith("B370000")
    mine = (await gql("{ me { applications(first: 5) { edges { node { id bundle { singleItem } } } } } }",
                      token=citizen["token"]))["data"]["me"]["applications"]["edges"]
    assert mine == [{"node": {"id": application["id"], "bundle": {"singleItem": True}}}]


async def test_a_single_item_is_checked_like_any_form(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    missing = await apply(gql, citizen["token"], formValues={})
    assert missing["__typename"] == "FormInvalid"
    assert {"field": "delivery.method", "code": "REQUIRED"} in missing["errors"]
    assert {e["field"] for e in missing["errors"]} >= {"materials.resident-id-card", "materials.household-register",
                                                       "materials.id-photo"}
    elsewhere = await apply(gql, citizen["token"], channel="DESKTOP",
                            materials=await materials(client, citizen["token"]))
    assert elsewhere == {"__typename": "FormInvalid", "errors": [{"field": "channel", "code": "CHANNEL_NOT_OFFERED"}]}


async def test_an_unknown_item_is_a_field_error(gql: Any) -> None:
    citizen = await register(gql)
    for code in ("370000-GAT-999", "x" * 10_000, "newborn"):
        assert await apply(gql, citizen["token"], itemCode=code) == {
            "__typename": "FormInvalid", "errors": [{"field": "itemCode", "code": "UNKNOWN_ITEM"}]}
