"""Hostile input to the application mutations: every value is checked by its field type before anything else
uses it, every over-long code or key is a field error, and no answer is an internal error or larger than the
request calls for."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.applications.support import SUBMIT, SUPPLEMENT, handler, newborn_materials, newborn_values, \
    post_escaped, submit_newborn, task_of
from tests.identity.test_accounts import register

CERTIFICATE = "370100-WJW-001"
ERRORS = "__typename ... on FormInvalid { errors { field code message } } ... on Conflict { code } " \
         "... on NotFound { code } ... on PermissionDenied { code }"
SUBMIT_ERRORS = f"""mutation($input: SubmitBundleApplicationInput!) {{
  submitBundleApplication(input: $input) {{ {ERRORS} ... on Application {{ id }} }} }}"""
SUPPLEMENT_ERRORS = f"""mutation($id: ID!, $values: JSON!, $key: String!) {{
  supplementApplication(id: $id, formValues: $values, idempotencyKey: $key) {{ {ERRORS} ... on Application {{ id }} }}
}}"""
REJECT_ERRORS = f"""mutation($id: ID!, $v: Int!, $r: String!) {{
  rejectTask(id: $id, version: $v, reason: $r) {{ {ERRORS} ... on Task {{ id }} }} }}"""
REQUEST_SUPPLEMENT = f"""mutation($id: ID!, $v: Int!, $f: [String!]!, $m: [String!]) {{
  requestSupplement(id: $id, version: $v, fields: $f, materials: $m) {{ {ERRORS} ... on Task {{ id }} }} }}"""
AUTHORISE = """mutation($bundle: String!) { authoriseFamilyMember(input: {idNumber: "110101199003074477",
  bundleCode: $bundle, relationship: "配偶"}) { __typename ... on FormInvalid { errors { field code } } } }"""
FIGURES = "query($from: Date!, $to: Date!) { applicationFigures(from: $from, to: $to) { applications } }"


def nested(depth: int) -> object:
    value: object = "张小宝"
    for _ in range(depth):
        value = [value]
    return value


async def submit(client: httpx.AsyncClient, token: str, values: dict[str, Any], *, materials: list[Any] | None = None,
                 **input: Any) -> dict[str, Any]:
    body = await post_escaped(client, SUBMIT_ERRORS, {"input": {
        "bundleCode": "newborn", "formValues": values, "channel": "MOBILE", "idempotencyKey": str(uuid.uuid4()),
        "materials": materials if materials is not None else await newborn_materials(client, token), **input}},
        token=token)
    assert "errors" not in body, body
    return body["data"]["submitBundleApplication"]


def codes(result: dict[str, Any]) -> list[tuple[str, str]]:
    assert result["__typename"] == "FormInvalid", result
    return [(e["field"], e["code"]) for e in result["errors"]]


# —— formValues ——


async def test_a_number_beyond_64_bits_is_a_field_error_of_the_field_it_was_sent_for(gql: Any,
                                                                                     client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    result = await submit(client, citizen["token"], newborn_values(**{"child.name": 10 ** 30, "extra.size": 10 ** 30}))
    assert codes(result) == [("child.name", "NOT_A_STRING"), ("extra.size", "UNKNOWN_FIELD")]


async def test_a_value_nested_500_deep_is_refused_by_its_field_type(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    result = await submit(client, citizen["token"], newborn_values(**{"child.name": nested(500)}))
    assert codes(result) == [("child.name", "NOT_A_STRING")]
    unknown = await submit(client, citizen["token"], newborn_values(**{"extra.deep": nested(500)}))
    assert codes(unknown) == [("extra.deep", "UNKNOWN_FIELD")]


async def test_a_lone_surrogate_is_a_forbidden_character_of_its_field(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    result = await submit(client, citizen["token"], newborn_values(**{
        "child.name": "张\ud800宝", "mother.idNumber": "\udc00", "child.birthPlace": "济南\u202e市妇幼保健院"}))
    assert codes(result) == [("child.name", "FORBIDDEN_CHARACTER"), ("child.birthPlace", "FORBIDDEN_CHARACTER"),
                             ("mother.idNumber", "FORBIDDEN_CHARACTER")]
    assert result["errors"][0]["message"] == "新生儿姓名：含有不可见的控制字符或方向字符，请删除后重新输入"
    # A key no form has, with a surrogate in it, is not named back: the answer could not even be encoded.
    unknown = await submit(client, citizen["token"], newborn_values(**{"child.\ud800": "x"}))
    assert codes(unknown) == [("formValues", "UNKNOWN_FIELD")]


async def test_thirty_thousand_unknown_keys_are_answered_with_fifty_problems_and_a_count(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    values = newborn_values(**{f"x{n}": n for n in range(30000)})
    response = await client.post("/graphql", json={"query": SUBMIT_ERRORS, "variables": {"input": {
        "bundleCode": "newborn", "formValues": values, "channel": "MOBILE", "idempotencyKey": "many",
        "materials": await newborn_materials(client, citizen["token"])}}},
        headers={"authorization": f"Bearer {citizen['token']}"})
    assert len(response.content) < 20_000
    errors = response.json()["data"]["submitBundleApplication"]["errors"]
    assert len(errors) == 51
    assert errors[0] == {"field": "x0", "code": "UNKNOWN_FIELD", "message": "表单中没有“x0”这一项，请刷新页面后重新填写"}
    assert errors[50] == {"field": "formValues", "code": "TOO_MANY_PROBLEMS", "message": "还有29950处问题未列出，请先修改以上内容"}


async def test_materials_that_name_no_material_are_listed_fifty_at_most_and_never_echoed_whole(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    materials = [{"code": "m" * 100_000, "fileId": "x"}, {"code": "\ud800", "fileId": "x"}] + [
        {"code": f"m{n}", "fileId": "x"} for n in range(100)]
    result = await submit(client, citizen["token"], newborn_values(), materials=materials)
    assert codes(result)[:3] == [("materials", "UNKNOWN_MATERIAL"), ("materials", "UNKNOWN_MATERIAL"),
                                 ("materials.m0", "UNKNOWN_MATERIAL")]
    assert len(result["errors"]) == 51 and result["errors"][50]["code"] == "TOO_MANY_PROBLEMS"
    assert len(str(result)) < 20_000


async def supplement_asked(gql: Any, client: httpx.AsyncClient) -> tuple[dict[str, Any], str]:
    """An application whose 出生医学证明 task asks for 补正 of the birth place; (citizen, application id)."""
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    token = await handler("370100-WJW")
    asked = (await gql(SUPPLEMENT, {"id": task["id"], "v": task["version"], "f": ["child.birthPlace"]},
                       token=token))["data"]["requestSupplement"]
    assert asked["status"] == "SUPPLEMENT_REQUIRED", asked
    return citizen, application["id"]


async def test_supplement_values_are_checked_like_a_submission(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, application = await supplement_asked(gql, client)

    async def send(values: object) -> dict[str, Any]:
        body = await post_escaped(client, SUPPLEMENT_ERRORS, {"id": application, "values": values, "key": str(uuid.uuid4())},
                                  token=citizen["token"])
        assert "errors" not in body, body
        return body["data"]["supplementApplication"]

    assert codes(await send({"child.birthPlace": 10 ** 30})) == [("child.birthPlace", "NOT_A_STRING")]
    assert codes(await send({"child.birthPlace": nested(500)})) == [("child.birthPlace", "NOT_A_STRING")]
    assert codes(await send({"child.birthPlace": "济南\ud800"})) == [("child.birthPlace", "FORBIDDEN_CHARACTER")]
    many = await send({f"x{n}": n for n in range(30000)})
    assert len(many["errors"]) == 51 and many["errors"][50]["code"] == "TOO_MANY_PROBLEMS"
    assert many["errors"][50]["message"] == "还有59951处问题未列出，请先修改以上内容"


async def test_a_handler_naming_fields_the_form_lacks_gets_them_listed_not_echoed(gql: Any,
                                                                                 client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    task = task_of(await submit_newborn(gql, client, citizen["token"]), CERTIFICATE)
    body = await post_escaped(client, REQUEST_SUPPLEMENT, {
        "id": task["id"], "v": task["version"], "f": ["f" * 100_000, "\ud800"] + [f"f{n}" for n in range(100)],
        "m": ["\udc00"]}, token=await handler("370100-WJW"))
    result = body["data"]["requestSupplement"]
    assert codes(result)[:3] == [("fields", "UNKNOWN_FIELD")] * 3
    assert result["errors"][0]["message"] == "表单中没有这一项"
    assert result["errors"][2]["message"] == "表单中没有 f0"
    assert len(result["errors"]) == 51 and len(str(result)) < 20_000


# —— codes and keys longer than their columns ——


async def test_a_bundle_code_longer_than_any_is_an_unknown_bundle(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    for code in ("x" * 200, "new\ud800born", "newborn\x00"):
        result = await submit(client, citizen["token"], {}, materials=[], bundleCode=code)
        assert codes(result) == [("bundleCode", "UNKNOWN_BUNDLE")]
        body = await post_escaped(client, AUTHORISE, {"bundle": code}, token=citizen["token"])
        assert ("bundleCode", "UNKNOWN_BUNDLE") in codes(body["data"]["authoriseFamilyMember"])


async def test_an_idempotency_key_longer_than_its_column_or_with_a_surrogate_is_a_field_error(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    for key, code in (("k" * 101, "BAD_IDEMPOTENCY_KEY"), ("k\ud800", "BAD_IDEMPOTENCY_KEY"),
                      ("k\x00", "BAD_IDEMPOTENCY_KEY")):
        result = await submit(client, citizen["token"], newborn_values(), idempotencyKey=key)
        assert codes(result) == [("idempotencyKey", code)]


async def test_figures_for_years_outside_the_calendar_are_an_invalid_argument(gql: Any) -> None:
    for period, field in ((("0001-01-01", "0001-12-31"), "from"), (("9999-01-01", "9999-12-31"), "from"),
                          (("2025-01-01", "9999-12-31"), "to")):
        body = await gql(FIGURES, {"from": period[0], "to": period[1]})
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": field}


async def test_a_handlers_reason_with_control_characters_is_a_field_error(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    task = task_of(await submit_newborn(gql, client, citizen["token"]), CERTIFICATE)
    body = await post_escaped(client, REJECT_ERRORS, {"id": task["id"], "v": task["version"], "r": "材料不全\ud800"},
                              token=await handler("370100-WJW"))
    assert codes(body["data"]["rejectTask"]) == [("reason", "FORBIDDEN_CHARACTER")]
    body = await post_escaped(client, REJECT_ERRORS, {"id": task["id"], "v": task["version"], "r": "理" * 501},
                              token=await handler("370100-WJW"))
    assert body["data"]["rejectTask"]["errors"] == [
        {"field": "reason", "code": "TOO_LONG", "message": "不予办理的理由不能超过500个字，您填写了501个字"}]
